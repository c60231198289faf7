package s3results

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// countedBody is an object body of n bytes (of 'x') that counts what is read of it.
type countedBody struct {
	left, read int64
}

func (b *countedBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), b.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= n
	b.read += n
	return int(n), nil
}

func (b *countedBody) Close() error { return nil }

// sizedObject is an S3 API holding one object whose body is size bytes and
// whose Content-Length says declared.
type sizedObject struct {
	API
	metadata       map[string]string
	size, declared int64
	body           *countedBody
}

func (o *sizedObject) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	o.body = &countedBody{left: o.size}
	return &s3.GetObjectOutput{Body: o.body, ContentLength: aws.Int64(o.declared), ContentType: aws.String("application/pdf"), Metadata: o.metadata}, nil
}

// noTokens is a PDF reader that finds no tokens and counts the documents it is given.
type noTokens struct{ given *int }

func (n noTokens) Tokens(context.Context, []byte) (document.Tokens, int, error) {
	*n.given++
	return document.Tokens{}, 1, nil
}

// TestTheBodyIsReadOnlyWhenNeededAndBounded: metadata with both tokens leaves
// the body unread whatever its size; a document is refused unread when S3
// announces it beyond the limit, and read no further than one byte past it
// when S3 announced less.
func TestTheBodyIsReadOnlyWhenNeededAndBounded(t *testing.T) {
	const limit = 1 << 20
	both := map[string]string{ExamTokenMeta: "e", ResultTokenMeta: "r"}
	for name, tc := range map[string]struct {
		obj     sizedObject
		read    int64
		parsed  int
		problem error
	}{
		"tokens in metadata, 51 MiB body":                      {obj: sizedObject{metadata: both, size: 51 << 20, declared: 51 << 20}, read: 0},
		"announced beyond the limit":                           {obj: sizedObject{size: 51 << 20, declared: 51 << 20}, read: 0, problem: resultfiling.ErrDocumentTooLarge},
		"announced within, longer in fact":                     {obj: sizedObject{size: 51 << 20, declared: 10}, read: limit + 1, problem: resultfiling.ErrDocumentTooLarge},
		"within the limit, of no known type: read, not parsed": {obj: sizedObject{size: limit, declared: limit}, read: limit, parsed: 0, problem: resultfiling.ErrNoTokens},
	} {
		t.Run(name, func(t *testing.T) {
			given := 0
			lim := document.DefaultLimits
			lim.MaxBytes = limit
			store := New(&tc.obj).ReadingDocuments(document.Finder{Info: noTokens{&given}, Limits: lim})
			obj, err := store.Read(context.Background(), "b", "completed/r", "")
			if err != nil {
				t.Fatal(err)
			}
			if tc.obj.body.read != tc.read {
				t.Errorf("read %d bytes of the body, want %d", tc.obj.body.read, tc.read)
			}
			if !errors.Is(obj.TokenProblem, tc.problem) || (tc.problem == nil && obj.TokenProblem != nil) {
				t.Errorf("problem %v, want %v", obj.TokenProblem, tc.problem)
			}
			if given != tc.parsed {
				t.Errorf("the finder parsed %d documents, want %d", given, tc.parsed)
			}
		})
	}
}
