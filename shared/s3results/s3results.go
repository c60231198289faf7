// Package s3results reads and files the result objects in S3: it implements the
// result filing's Objects port (resultfiling.Objects). A result object carries its two tokens as user
// metadata (exam-token, result-token) or, for a JSON object, in its body. After
// processing, the version its event names is moved (copied from that version,
// then that version deleted) to its outcome folder, never over a different
// object, with its system metadata and the filing's zmed-* user metadata.
package s3results

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// MaxJSONBody is the largest JSON body read for tokens.
const MaxJSONBody = 10 << 20

// Metadata keys of a result object (x-amz-meta-exam-token, x-amz-meta-result-token).
const (
	ExamTokenMeta   = "exam-token"
	ResultTokenMeta = "result-token"
)

// User metadata of a filed object (docs/results.md). The zmed- prefix is this
// system's: an uploader's own zmed-* entries are not carried over.
const (
	OutcomeMeta = "zmed-outcome"
	ReasonMeta  = "zmed-reason"
	ExamIDMeta  = "zmed-exam-id"
	// SourceMeta is a digest of the bucket, key and version a filed object was
	// copied from, so that a retried move recognises its own earlier copy (and
	// only it: identical bytes uploaded elsewhere are another result).
	SourceMeta = "zmed-source"
	// SourceKeyMeta names the key alone (resultfiling.SourceKeyDigest): the
	// desk finds the copy of its hand-in by it.
	SourceKeyMeta = "zmed-source-key"
	zmedPrefix    = "zmed-"
)

// MaxUserMetadata is S3's limit on an object's user metadata: the UTF-8 bytes
// of every name and value.
const MaxUserMetadata = 2048

// Problems with an object's tokens: the object goes to stuck/.
var (
	ErrNoTokens    = resultfiling.ErrNoTokens
	ErrTooLarge    = fmt.Errorf("%w: larger than %d bytes", resultfiling.ErrUnreadableBody, MaxJSONBody)
	ErrMalformed   = fmt.Errorf("%w: not a JSON object with string tokens", resultfiling.ErrUnreadableBody)
	ErrDestination = errors.New("destination holds a different object")
)

// Object is a result object as read, with its tokens (the processor's type).
type Object = resultfiling.Object

// ErrGone is an object that no longer exists (the processor's error).
var ErrGone = resultfiling.ErrGone

var _ resultfiling.Objects = (*Store)(nil)

// API is the part of the S3 client the store uses.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Store reads and moves result objects.
type Store struct {
	s3   API
	docs *document.Finder // nil: only metadata and JSON bodies are read
}

// FromConfig returns a Store with an S3 client of cfg.
func FromConfig(cfg aws.Config) *Store { return New(s3.NewFromConfig(awsenv.ForService(cfg, "S3"))) }

// New returns a Store on client.
func New(client API) *Store { return &Store{s3: client} }

// ReadingDocuments is s that also finds the tokens inside the document with
// f (a PDF's information dictionary, QR codes) when neither the metadata nor
// a JSON body carries them. The body is read only then, and never past
// f.Limits.MaxBytes.
func (s *Store) ReadingDocuments(f document.Finder) *Store {
	return &Store{s3: s.s3, docs: &f}
}

// Read fetches the version versionID of an object and its tokens with one
// GetObject: from its metadata (the body is then never read, whatever its
// size), or else from its JSON body, streamed and bounded by MaxJSONBody, or
// else from the document itself (see ReadingDocuments). With versionID "" (an
// event that names no version) it reads the current version and keeps the
// version S3 says it read, so that the move copies and deletes exactly what
// was read. A missing object or
// version is ErrGone; tokens that cannot be read are reported in TokenProblem.
func (s *Store) Read(ctx context.Context, bucket, key, versionID string) (Object, error) {
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: nonEmpty(versionID)})
	if err != nil {
		return Object{}, failure("get object", err)
	}
	defer out.Body.Close()
	if versionID == "" {
		versionID = aws.ToString(out.VersionId) // still "" in a bucket never versioned
	}
	obj := Object{
		Bucket: bucket, Key: key, VersionID: versionID,
		ETag:               aws.ToString(out.ETag),
		ContentType:        aws.ToString(out.ContentType),
		ContentDisposition: aws.ToString(out.ContentDisposition),
		ContentEncoding:    aws.ToString(out.ContentEncoding),
		ContentLanguage:    aws.ToString(out.ContentLanguage),
		CacheControl:       aws.ToString(out.CacheControl),
		Metadata:           out.Metadata,
	}
	obj.ExamToken, obj.ResultToken = meta(out.Metadata, ExamTokenMeta), meta(out.Metadata, ResultTokenMeta)
	switch {
	case obj.ExamToken != "" || obj.ResultToken != "":
		if obj.ExamToken == "" || obj.ResultToken == "" {
			obj.TokenProblem = ErrNoTokens
		}
	case isJSON(obj.ContentType, key) && aws.ToInt64(out.ContentLength) > MaxJSONBody:
		obj.TokenProblem = ErrTooLarge // not read at all
	case isJSON(obj.ContentType, key):
		obj.ExamToken, obj.ResultToken, obj.TokenProblem = tokensFromJSON(out.Body)
	case s.docs == nil:
		obj.TokenProblem = ErrNoTokens
	default:
		var tokens document.Tokens
		tokens, obj.TokenProblem, err = s.tokensFromDocument(ctx, out.Body, aws.ToInt64(out.ContentLength))
		if err != nil {
			return Object{}, err
		}
		obj.ExamToken, obj.ResultToken = tokens.Exam, tokens.Result
	}
	return obj, nil
}

// readAll is io.ReadAll into a buffer of the size S3 announced (plus one
// byte, to see the end): one allocation instead of a doubling series whose
// last copy would hold the document twice.
func readAll(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, 0, max(size, 0)+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
	}
}

// ErrDocumentTooLarge is a document beyond the limits of the finder.
var ErrDocumentTooLarge = resultfiling.ErrDocumentTooLarge

// tokensFromDocument finds the tokens inside a document of size bytes (as S3
// says) streamed from body: a size beyond the limit is refused unread, and at
// most one byte past it is read. A failure to read the stream, or the
// invocation's deadline, is transient (err).
func (s *Store) tokensFromDocument(ctx context.Context, body io.Reader, size int64) (tokens document.Tokens, problem, err error) {
	limit := s.docs.Limits.MaxBytes
	if size > limit {
		return document.Tokens{}, ErrDocumentTooLarge, nil
	}
	data, err := readAll(io.LimitReader(body, limit+1), size)
	switch {
	case int64(len(data)) > limit:
		return document.Tokens{}, ErrDocumentTooLarge, nil
	case err != nil:
		return document.Tokens{}, nil, fmt.Errorf("s3 get object: read the body: %w", err)
	}
	tokens, err = s.docs.Find(ctx, data)
	switch {
	case err == nil:
		return tokens, nil, nil
	case errors.Is(err, document.ErrTooLarge):
		return document.Tokens{}, fmt.Errorf("%w: %w", ErrDocumentTooLarge, err), nil
	case errors.Is(err, document.ErrUnreadable):
		return document.Tokens{}, fmt.Errorf("%w: %w", resultfiling.ErrUnreadableBody, err), nil
	case errors.Is(err, document.ErrNoTokens):
		return document.Tokens{}, ErrNoTokens, nil
	}
	return document.Tokens{}, nil, err // the invocation ran out of time: transient
}

// tokensFromJSON reads {"exam_token": "...", "result_token": "...", ...} from
// at most MaxJSONBody bytes of body, as strictly as the API reads its requests:
// one JSON object, exact member names, no member twice.
func tokensFromJSON(body io.Reader) (examToken, resultToken string, problem error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxJSONBody+1))
	switch {
	case len(data) > MaxJSONBody:
		return "", "", ErrTooLarge
	case err != nil:
		return "", "", ErrMalformed // as before: the object goes to stuck/; the error's text may hold the key
	}
	var doc struct {
		ExamToken   string `json:"exam_token"`
		ResultToken string `json:"result_token"`
	}
	switch err := strictjson.Unmarshal(data, &doc); {
	case err != nil:
		return "", "", ErrMalformed
	case doc.ExamToken == "" || doc.ResultToken == "":
		return "", "", ErrNoTokens
	}
	return doc.ExamToken, doc.ResultToken, nil
}

func meta(m map[string]string, name string) string {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func isJSON(contentType, key string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return ct == "application/json" || strings.HasSuffix(ct, "+json") || strings.EqualFold(path.Ext(key), ".json")
}

// Move copies obj's version to f.Key in its bucket, then deletes that version
// (and only it: a newer upload to the same key is another result). It never
// replaces a different object: when f.Key is taken by another object, the copy
// goes to a name made unique by obj's source digest. A retry after a partial
// move finds its own copy by that digest and only deletes the source. It
// returns the key the object now has.
func (s *Store) Move(ctx context.Context, obj Object, f resultfiling.Filing) (string, error) {
	source := SourceDigest(obj.Bucket, obj.Key, obj.VersionID)
	metadata := filedMetadata(obj, f, source)
	key, err := s.copyOnce(ctx, obj, f.Key, metadata)
	if errors.Is(err, ErrDestination) {
		key, err = s.copyOnce(ctx, obj, uniqueName(f.Key, source), metadata)
	}
	if err != nil {
		return "", err
	}
	_, err = s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &obj.Bucket, Key: &obj.Key, VersionId: nonEmpty(obj.VersionID)})
	if err != nil && !isNotFound(err) {
		return "", failure("delete object", err)
	}
	return key, nil
}

// copyOnce copies obj to dstKey with metadata unless the key exists. An
// existing copy of the same source counts as done; anything else there is
// ErrDestination.
func (s *Store) copyOnce(ctx context.Context, obj Object, dstKey string, metadata map[string]string) (string, error) {
	_, err := s.s3.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:             &obj.Bucket,
		Key:                &dstKey,
		CopySource:         aws.String(CopySource(obj.Bucket, obj.Key, obj.VersionID)),
		CopySourceIfMatch:  nonEmpty(obj.ETag),
		IfNoneMatch:        aws.String("*"),
		MetadataDirective:  types.MetadataDirectiveReplace,
		ContentType:        nonEmpty(obj.ContentType),
		ContentDisposition: nonEmpty(obj.ContentDisposition),
		ContentEncoding:    nonEmpty(obj.ContentEncoding),
		ContentLanguage:    nonEmpty(obj.ContentLanguage),
		CacheControl:       nonEmpty(obj.CacheControl),
		Metadata:           metadata,
	})
	switch {
	case err == nil:
		return dstKey, nil
	case !IsPreconditionFailed(err):
		return "", failure("copy object", err)
	}
	// The destination exists (or the source changed): see whose it is.
	head, herr := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &obj.Bucket, Key: &dstKey})
	switch {
	case herr != nil && isNotFound(herr):
		return "", fmt.Errorf("s3 head object: %w", herr) // the copy just found it there: retry
	case herr != nil:
		return "", failure("head object", herr)
	}
	if meta(head.Metadata, SourceMeta) == metadata[SourceMeta] {
		return dstKey, nil
	}
	return "", ErrDestination
}

// SourceDigest identifies one version of one object: a filed copy carries it
// as SourceMeta.
func SourceDigest(bucket, key, versionID string) string {
	sum := sha256.Sum256([]byte(bucket + "/" + key + "?versionId=" + versionID))
	return hex.EncodeToString(sum[:16])
}

// filedMetadata is the user metadata of obj filed as f: the filing's zmed-*
// entries, then as much of the uploader's own as fits S3's limit: all of it,
// or else only the two tokens (what re-processing a stuck result needs), or
// else none.
func filedMetadata(obj Object, f resultfiling.Filing, source string) map[string]string {
	filed := map[string]string{SourceMeta: source, SourceKeyMeta: resultfiling.SourceKeyDigest(obj.Bucket, obj.Key),
		OutcomeMeta: string(f.Reason.Outcome()), ReasonMeta: string(f.Reason)}
	if f.ExamID != "" {
		filed[ExamIDMeta] = f.ExamID
	}
	own := map[string]string{}
	for k, v := range obj.Metadata {
		if !strings.HasPrefix(strings.ToLower(k), zmedPrefix) {
			own[strings.ToLower(k)] = v
		}
	}
	if metadataSize(filed)+metadataSize(own) > MaxUserMetadata {
		tokens := map[string]string{}
		for _, k := range []string{ExamTokenMeta, ResultTokenMeta} {
			if v, ok := own[k]; ok {
				tokens[k] = v
			}
		}
		own = tokens
		if metadataSize(filed)+metadataSize(own) > MaxUserMetadata {
			own = nil
		}
	}
	for k, v := range own {
		filed[k] = v
	}
	return filed
}

// metadataSize measures metadata as S3 does: the UTF-8 bytes of names and values.
func metadataSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	return n
}

// uniqueName puts the first 12 hex digits of source before the extension of key.
func uniqueName(key, source string) string {
	ext := path.Ext(key)
	return strings.TrimSuffix(key, ext) + "-" + source[:12] + ext
}

// CopySource is the URL-encoded "bucket/key" CopyObject expects, followed by
// "?versionId=" and versionID unless it is "". Every byte of bucket and key
// but unreserved characters and "/" is escaped ("+" too, and a space as %20),
// so that no reader of the header can take a "+" for a space.
func CopySource(bucket, key, versionID string) string {
	escaped := url.QueryEscape(bucket + "/" + key)
	escaped = strings.ReplaceAll(escaped, "+", "%20")
	escaped = strings.ReplaceAll(escaped, "%2F", "/")
	if versionID != "" {
		escaped += "?versionId=" + url.QueryEscape(versionID)
	}
	return escaped
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var apiErr smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &nf) ||
		(errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound" || apiErr.ErrorCode() == "NoSuchVersion"))
}

// IsPreconditionFailed reports S3's refusal of a conditional write
// (If-None-Match: * on a key that exists).
func IsPreconditionFailed(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "PreconditionFailed" || apiErr.ErrorCode() == "412")
}

// failure is err of the S3 operation op as the processor sees it: ErrGone for
// a missing object or version, wrapping ErrRefused when permanent, else transient.
func failure(op string, err error) error {
	switch {
	case isNotFound(err):
		return ErrGone
	case isPermanent(err):
		return fmt.Errorf("%w: s3 %s: %w", resultfiling.ErrRefused, op, err)
	}
	return fmt.Errorf("s3 %s: %w", op, err)
}

// transientCodes are 4xx answers that a later attempt may not get: throttling,
// timeouts, clock skew and expired credentials, besides the SDK's own lists.
var transientCodes = map[string]bool{
	"RequestTimeout": true, "RequestTimeTooSkewed": true, "ExpiredToken": true, "TokenRefreshRequired": true,
	"OperationAborted": true, "SlowDown": true, "TooManyRequests": true,
}

// isPermanent: S3 answered a 4xx that retrying the same request cannot change
// (access denied, metadata too large, a key too long, ...). 404 and 412 are
// handled by the callers; 408, 409 and 429 and throttling codes are transient.
func isPermanent(err error) bool {
	var resp *smithyhttp.ResponseError
	if !errors.As(err, &resp) {
		return false
	}
	switch status := resp.HTTPStatusCode(); {
	case status < 400 || status >= 500:
		return false
	case status == http.StatusNotFound || status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusPreconditionFailed || status == http.StatusTooManyRequests:
		return false
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		_, throttle := retry.DefaultThrottleErrorCodes[code]
		_, retryable := retry.DefaultRetryableErrorCodes[code]
		if throttle || retryable || transientCodes[code] {
			return false
		}
	}
	return true
}
