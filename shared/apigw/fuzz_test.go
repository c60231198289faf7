package apigw_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
)

// FuzzAdapter feeds any body and route to the adapter: a body decodes only if
// it is one JSON object (or null), and then each field holds exactly the
// member of its name; every refusal, and every other route, is an error body
// of the error table with a fixed message.
func FuzzAdapter(f *testing.F) {
	f.Add(`{"document": "529.982.247-25", "exam_type": 1}`, false, "POST", "/exam/new")
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"document": "52998224725", "exam_type": 1}`)), true, "POST", "/exam/new/")
	f.Add(`{"doCument": "529.982.247-25", "exam_type": 1, "note": {"a": [1, 2]}}`, false, "GET", "/exam/new")
	f.Add(`{"document": "a", "document": "b"}`, false, "POST", "/exams/info")
	f.Add(`{"document": 1, "exam_type": "1"}00`, false, "", "")
	f.Add(`null`, true, "POST", "/")
	route := apigw.Route{Method: "POST", Path: "/exam/new"}
	f.Fuzz(func(t *testing.T, body string, isBase64 bool, method, path string) {
		req := events.APIGatewayV2HTTPRequest{Body: body, IsBase64Encoded: isBase64, RawPath: path}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "fuzzer", "username": "fuzzer"}}}
		req.RequestContext.HTTP.Method = method
		var in struct {
			Document *string `json:"document"`
			ExamType *int    `json:"exam_type"`
		}
		resp, _ := apigw.Serve(route, audit.Action("exam.register"), audit.Writer{}, func(ctx context.Context, _ exam.Actor, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			if err := apigw.DecodeJSON(req, &in); err != nil {
				if !errors.Is(err, apigw.ErrPayloadTooLarge) && !errors.Is(err, exam.ErrInvalidRequest) {
					t.Fatalf("DecodeJSON err = %v", err)
				}
				return apigw.Error(ctx, err), nil
			}
			checkDecoded(t, req, in.Document, in.ExamType)
			return apigw.JSON(http.StatusOK, in), nil
		})(context.Background(), req)
		if resp.StatusCode != http.StatusOK {
			apitest.CheckError(t, resp.StatusCode, resp.Body)
		}
	})
}

// checkDecoded holds a decoded body against encoding/json's reading of it as
// a map, whose names are exact.
func checkDecoded(t *testing.T, req events.APIGatewayV2HTTPRequest, document *string, examType *int) {
	t.Helper()
	raw := []byte(req.Body)
	if req.IsBase64Encoded {
		raw, _ = base64.StdEncoding.DecodeString(req.Body)
	}
	var members map[string]any
	if err := json.Unmarshal(raw, &members); err != nil {
		t.Fatalf("decoded %q, which is not one JSON object", raw)
	}
	if doc, ok := members["document"].(string); (document != nil) != ok || ok && doc != *document {
		t.Fatalf("document %v from %q", document, raw)
	}
	if n, ok := members["exam_type"].(float64); (examType != nil) != ok || ok && n != float64(*examType) {
		t.Fatalf("exam_type %v from %q", examType, raw)
	}
}
