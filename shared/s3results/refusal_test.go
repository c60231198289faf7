package s3results

import (
	"errors"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/zmed/exam-manager/shared/resultfiling"
)

// s3Error is an S3 error answer as the SDK returns it.
func s3Error(status int, code string) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "CopyObject", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "m"},
		},
	}}
}

func TestFailureClassifiesS3Answers(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   string // gone, refused, transient
	}{
		{404, "NoSuchKey", "gone"},
		{404, "NoSuchVersion", "gone"},
		{400, "MetadataTooLarge", "refused"},
		{400, "KeyTooLongError", "refused"},
		{400, "InvalidArgument", "refused"},
		{403, "AccessDenied", "refused"},
		{403, "InvalidObjectState", "refused"},
		{400, "RequestTimeout", "transient"},
		{400, "ExpiredToken", "transient"},
		{403, "RequestTimeTooSkewed", "transient"},
		{400, "Throttling", "transient"},
		{503, "SlowDown", "transient"},
		{429, "TooManyRequests", "transient"},
		{409, "OperationAborted", "transient"},
		{500, "InternalError", "transient"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := failure("copy object", s3Error(tt.status, tt.code))
			got := "transient"
			switch {
			case errors.Is(err, ErrGone):
				got = "gone"
			case errors.Is(err, resultfiling.ErrRefused):
				got = "refused"
			}
			if got != tt.want {
				t.Fatalf("%d %s: %s (%v), want %s", tt.status, tt.code, got, err, tt.want)
			}
		})
	}
	if err := failure("get object", errors.New("connection reset")); errors.Is(err, resultfiling.ErrRefused) || errors.Is(err, ErrGone) {
		t.Fatalf("a network error is %v, want transient", err)
	}
}
