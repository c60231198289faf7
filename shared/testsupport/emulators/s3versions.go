package emulators

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
)

// S3Backend is the S3 endpoint's in-memory storage: buckets keep every
// version of every object as a versioned S3 bucket does, which gofakes3's
// own memory backend does not (deleting the current version of a key with
// older versions loses them all from listings and panics a HEAD). Buckets
// start unversioned; PutBucketVersioning (or SetVersioningConfiguration)
// enables versioning.
type S3Backend struct {
	mu      sync.Mutex
	buckets map[string]*s3Bucket
	seq     uint64
}

type s3Bucket struct {
	created    time.Time
	versioning gofakes3.VersioningStatus // "" until versioning is first set
	objects    map[string][]*s3Version   // oldest first; the last is the current version
}

type s3Version struct {
	id           gofakes3.VersionID // "null" in a bucket never versioned
	body         []byte
	meta         map[string]string // Content-Type, ..., X-Amz-Meta-*, Last-Modified
	hash         []byte
	modified     time.Time
	deleteMarker bool
}

var (
	_ gofakes3.Backend          = (*S3Backend)(nil)
	_ gofakes3.VersionedBackend = (*S3Backend)(nil)
)

// NewS3Backend returns an empty backend.
func NewS3Backend() *S3Backend { return &S3Backend{buckets: map[string]*s3Bucket{}} }

const nullVersion gofakes3.VersionID = "null"

// storedHeaders are the system metadata an object keeps besides X-Amz-Meta-*.
// gofakes3 passes only some of them to a backend (keptHeaderPrefix carries the rest).
var storedHeaders = []string{"Content-Type", "Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control", "Expires"}

// keptHeaderPrefix renames, on the way into gofakes3, the system headers it
// would drop (it keeps only X-Amz-*, Content-Type, -Disposition and -Encoding).
const keptHeaderPrefix = "X-Amz-Keep-"

// maxUserMetadata is S3's limit: the bytes of every user metadata name
// (without x-amz-meta-) and value.
const maxUserMetadata = 2048

// storedMeta is what an object keeps of meta as gofakes3 hands it over: the
// system headers and user metadata, not the request's other X-Amz-* headers.
func storedMeta(meta map[string]string) (map[string]string, error) {
	kept, user := map[string]string{}, 0
	for k, v := range meta {
		k = http.CanonicalHeaderKey(strings.TrimPrefix(http.CanonicalHeaderKey(k), keptHeaderPrefix))
		switch {
		case strings.HasPrefix(k, "X-Amz-Meta-"):
			kept[k] = v
			user += len(k) - len("X-Amz-Meta-") + len(v)
		case contains(storedHeaders, k):
			kept[k] = v
		}
	}
	if user > maxUserMetadata {
		return nil, gofakes3.ErrMetadataTooLarge
	}
	return kept, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *S3Backend) bucket(name string) (*s3Bucket, error) {
	bk := b.buckets[name]
	if bk == nil {
		return nil, gofakes3.BucketNotFound(name)
	}
	return bk, nil
}

func (bk *s3Bucket) current(key string) *s3Version {
	vs := bk.objects[key]
	if len(vs) == 0 || vs[len(vs)-1].deleteMarker {
		return nil
	}
	return vs[len(vs)-1]
}

func (bk *s3Bucket) find(key string, id gofakes3.VersionID) *s3Version {
	for _, v := range bk.objects[key] {
		if v.id == id {
			return v
		}
	}
	return nil
}

// add makes v the current version of key: a new version in a versioned
// bucket, else the one "null" version.
func (b *S3Backend) add(bk *s3Bucket, key string, v *s3Version) gofakes3.VersionID {
	v.modified = time.Now().UTC()
	if bk.versioning == gofakes3.VersioningEnabled {
		b.seq++
		v.id = gofakes3.VersionID(fmt.Sprintf("%020d", b.seq))
	} else {
		v.id = nullVersion
		bk.remove(key, nullVersion)
	}
	bk.objects[key] = append(bk.objects[key], v)
	return bk.reported(v.id)
}

// reported is the version id S3 reports: none in a bucket never versioned.
func (bk *s3Bucket) reported(id gofakes3.VersionID) gofakes3.VersionID {
	if bk.versioning == "" {
		return ""
	}
	return id
}

// remove deletes one version; the one before it becomes current if it was.
func (bk *s3Bucket) remove(key string, id gofakes3.VersionID) *s3Version {
	vs := bk.objects[key]
	for i, v := range vs {
		if v.id == id {
			vs = append(vs[:i:i], vs[i+1:]...)
			if len(vs) == 0 {
				delete(bk.objects, key)
			} else {
				bk.objects[key] = vs
			}
			return v
		}
	}
	return nil
}

func (bk *s3Bucket) object(key string, v *s3Version, rnge *gofakes3.ObjectRangeRequest, withBody bool) (*gofakes3.Object, error) {
	meta := map[string]string{"Last-Modified": v.modified.Format(http.TimeFormat)}
	for k, val := range v.meta {
		meta[k] = val
	}
	obj := &gofakes3.Object{
		Name: key, Metadata: meta, Size: int64(len(v.body)), Hash: v.hash,
		VersionID: bk.reported(v.id), IsDeleteMarker: v.deleteMarker,
		Contents: io.NopCloser(bytes.NewReader(nil)),
	}
	if withBody && !v.deleteMarker {
		r, err := rnge.Range(obj.Size)
		if err != nil {
			return nil, err
		}
		body := v.body
		if r != nil {
			body = body[r.Start : r.Start+r.Length]
		}
		obj.Range, obj.Contents = r, io.NopCloser(bytes.NewReader(body))
	}
	return obj, nil
}

// ListBuckets lists the buckets.
func (b *S3Backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []gofakes3.BucketInfo
	for name, bk := range b.buckets {
		out = append(out, gofakes3.BucketInfo{Name: name, CreationDate: gofakes3.NewContentTime(bk.created)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ListBucket lists the current versions under prefix, a page at a time.
func (b *S3Backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return nil, err
	}
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	keys := make([]string, 0, len(bk.objects))
	for k := range bk.objects {
		if bk.current(k) != nil && (page.Marker == "" || k > page.Marker) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	list := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var count int64
	for i, k := range keys {
		if !prefix.Match(k, &match) {
			continue
		}
		if match.CommonPrefix {
			if len(list.CommonPrefixes) > 0 && list.CommonPrefixes[len(list.CommonPrefixes)-1].Prefix == match.MatchedPart {
				continue
			}
			list.AddPrefix(match.MatchedPart)
		} else {
			v := bk.current(k)
			list.Add(&gofakes3.Content{
				Key: k, LastModified: gofakes3.NewContentTime(v.modified), ETag: gofakes3.FormatETag(v.hash), Size: int64(len(v.body)),
			})
		}
		if count++; page.MaxKeys > 0 && count >= page.MaxKeys {
			list.NextMarker, list.IsTruncated = k, i < len(keys)-1
			break
		}
	}
	return list, nil
}

// CreateBucket creates an unversioned bucket.
func (b *S3Backend) CreateBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buckets[name] != nil {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	b.buckets[name] = &s3Bucket{created: time.Now().UTC(), objects: map[string][]*s3Version{}}
	return nil
}

// BucketExists reports whether the bucket exists.
func (b *S3Backend) BucketExists(name string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buckets[name] != nil, nil
}

// DeleteBucket deletes an empty bucket.
func (b *S3Backend) DeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return err
	}
	if len(bk.objects) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	delete(b.buckets, name)
	return nil
}

// ForceDeleteBucket deletes a bucket and everything in it.
func (b *S3Backend) ForceDeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.bucket(name); err != nil {
		return err
	}
	delete(b.buckets, name)
	return nil
}

// GetObject reads the current version.
func (b *S3Backend) GetObject(bucket, key string, rnge *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.GetObjectVersion(bucket, key, "", rnge)
}

// HeadObject reads the current version's metadata.
func (b *S3Backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return b.HeadObjectVersion(bucket, key, "")
}

// GetObjectVersion reads one version ("" for the current one).
func (b *S3Backend) GetObjectVersion(bucket, key string, id gofakes3.VersionID, rnge *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.read(bucket, key, id, rnge, true)
}

// HeadObjectVersion reads one version's metadata ("" for the current one).
func (b *S3Backend) HeadObjectVersion(bucket, key string, id gofakes3.VersionID) (*gofakes3.Object, error) {
	return b.read(bucket, key, id, nil, false)
}

func (b *S3Backend) read(bucket, key string, id gofakes3.VersionID, rnge *gofakes3.ObjectRangeRequest, withBody bool) (*gofakes3.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return nil, err
	}
	var v *s3Version
	if id == "" {
		if v = bk.current(key); v == nil {
			return nil, gofakes3.KeyNotFound(key)
		}
	} else if v = bk.find(key, id); v == nil {
		return nil, gofakes3.ErrNoSuchVersion
	}
	return bk.object(key, v, rnge, withBody)
}

// PutObject stores a new version of key.
func (b *S3Backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	body, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	kept, err := storedMeta(meta)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if conditions != nil {
		info := &gofakes3.ConditionalObjectInfo{}
		if cur := bk.current(key); cur != nil {
			info.Exists, info.Hash = true, cur.hash
		}
		if err := gofakes3.CheckPutConditions(conditions, info); err != nil {
			return gofakes3.PutObjectResult{}, err
		}
	}
	hash := md5.Sum(body)
	return gofakes3.PutObjectResult{VersionID: b.add(bk, key, &s3Version{body: body, meta: kept, hash: hash[:]})}, nil
}

// DeleteObject deletes key: in a versioned bucket it adds a delete marker.
func (b *S3Backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	return b.deleteObject(bk, key), nil
}

func (b *S3Backend) deleteObject(bk *s3Bucket, key string) gofakes3.ObjectDeleteResult {
	if bk.versioning != gofakes3.VersioningEnabled {
		bk.remove(key, nullVersion)
		return gofakes3.ObjectDeleteResult{}
	}
	id := b.add(bk, key, &s3Version{deleteMarker: true})
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: true, VersionID: id}
}

// DeleteObjectVersion deletes one version for good; the one before it becomes
// current if it was. A version that does not exist is no error, as in S3.
func (b *S3Backend) DeleteObjectVersion(bucket, key string, id gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	return b.deleteVersion(bk, key, id), nil
}

func (b *S3Backend) deleteVersion(bk *s3Bucket, key string, id gofakes3.VersionID) gofakes3.ObjectDeleteResult {
	if id == "" {
		id = nullVersion
	}
	v := bk.remove(key, id)
	if v == nil {
		return gofakes3.ObjectDeleteResult{}
	}
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: v.deleteMarker, VersionID: bk.reported(id)}
}

// DeleteMulti deletes keys as DeleteObject does.
func (b *S3Backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	ids := make([]gofakes3.ObjectID, len(keys))
	for i, k := range keys {
		ids[i] = gofakes3.ObjectID{Key: k}
	}
	return b.DeleteMultiVersions(bucket, ids...)
}

// DeleteMultiVersions deletes keys, or versions of them.
func (b *S3Backend) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return gofakes3.MultiDeleteResult{}, err
	}
	var out gofakes3.MultiDeleteResult
	for _, o := range objects {
		if o.VersionID != "" {
			b.deleteVersion(bk, o.Key, gofakes3.VersionID(o.VersionID))
		} else {
			b.deleteObject(bk, o.Key)
		}
		out.Deleted = append(out.Deleted, o)
	}
	return out, nil
}

// CopyObject copies the current version of the source (gofakes3's handler;
// the endpoint serves CopyObject itself, see versionedCopy).
func (b *S3Backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(b, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// VersioningConfiguration reports a bucket's versioning.
func (b *S3Backend) VersioningConfiguration(bucket string) (gofakes3.VersioningConfiguration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return gofakes3.VersioningConfiguration{}, err
	}
	return gofakes3.VersioningConfiguration{Status: bk.versioning}, nil
}

// SetVersioningConfiguration enables or suspends a bucket's versioning.
func (b *S3Backend) SetVersioningConfiguration(bucket string, v gofakes3.VersioningConfiguration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return err
	}
	switch {
	case v.Enabled():
		bk.versioning = gofakes3.VersioningEnabled
	case bk.versioning != "":
		bk.versioning = gofakes3.VersioningSuspended
	}
	return nil
}

// ListBucketVersions lists every version and delete marker under prefix,
// newest first for each key, in one page.
func (b *S3Backend) ListBucketVersions(bucket string, prefix *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucket)
	if err != nil {
		return nil, err
	}
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	out := gofakes3.NewListBucketVersionsResult(bucket, prefix, page)
	keys := make([]string, 0, len(bk.objects))
	for k := range bk.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var match gofakes3.PrefixMatch
	for _, k := range keys {
		if !prefix.Match(k, &match) {
			continue
		}
		if match.CommonPrefix {
			out.AddPrefix(match.MatchedPart)
			continue
		}
		vs := bk.objects[k]
		for i := len(vs) - 1; i >= 0; i-- {
			v, latest := vs[i], i == len(vs)-1
			if v.deleteMarker {
				out.Versions = append(out.Versions, &gofakes3.DeleteMarker{Key: k, VersionID: v.id, IsLatest: latest, LastModified: gofakes3.NewContentTime(v.modified)})
			} else {
				out.Versions = append(out.Versions, &gofakes3.Version{Key: k, VersionID: v.id, IsLatest: latest, LastModified: gofakes3.NewContentTime(v.modified),
					Size: int64(len(v.body)), StorageClass: gofakes3.StorageStandard, ETag: gofakes3.FormatETag(v.hash)})
			}
		}
	}
	return out, nil
}

// copyRequest is a CopyObject as the endpoint received it.
type copyRequest struct {
	srcBucket, srcKey  string
	srcVersion         gofakes3.VersionID // "" for the current version
	dstBucket, dstKey  string
	ifNoneMatchAny     bool   // If-None-Match: * on the destination
	srcIfMatch         string // x-amz-copy-source-if-match
	replaceMeta        bool   // x-amz-metadata-directive: REPLACE
	meta               map[string]string
	srcVersionReported gofakes3.VersionID
	dstVersionReported gofakes3.VersionID
	resultETag         string
	resultLastModified time.Time
}

// copyObject does a CopyObject atomically: conditions checked and the new
// version written under one lock.
func (b *S3Backend) copyObject(c *copyRequest) error {
	kept, err := storedMeta(c.meta)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	src, err := b.bucket(c.srcBucket)
	if err != nil {
		return err
	}
	dst, err := b.bucket(c.dstBucket)
	if err != nil {
		return err
	}
	var v *s3Version
	if c.srcVersion == "" {
		if v = src.current(c.srcKey); v == nil {
			return gofakes3.KeyNotFound(c.srcKey)
		}
	} else if v = src.find(c.srcKey, c.srcVersion); v == nil {
		return gofakes3.ErrNoSuchVersion
	} else if v.deleteMarker {
		return gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "The source of a copy request may not specifically refer to a delete marker by version id.")
	}
	if c.srcIfMatch != "" && strings.Trim(c.srcIfMatch, `"`) != strings.Trim(gofakes3.FormatETag(v.hash), `"`) {
		return gofakes3.ErrPreconditionFailed
	}
	if c.ifNoneMatchAny && dst.current(c.dstKey) != nil {
		return gofakes3.ErrPreconditionFailed
	}
	if !c.replaceMeta {
		kept = v.meta
	}
	copied := &s3Version{body: v.body, meta: kept, hash: v.hash}
	c.dstVersionReported = b.add(dst, c.dstKey, copied)
	c.srcVersionReported = src.reported(v.id)
	c.resultETag, c.resultLastModified = gofakes3.FormatETag(v.hash), copied.modified
	return nil
}

// Versions lists every version ("key?versionId=…") and delete marker
// ("key (delete marker)") under prefix in bucket, through client: what a test
// reads to see that nothing was left behind, or lost.
func Versions(ctx context.Context, client *s3.Client, bucket, prefix string) ([]string, error) {
	out, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		return nil, err
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, aws.ToString(v.Key)+"?versionId="+aws.ToString(v.VersionId))
	}
	for _, m := range out.DeleteMarkers {
		vs = append(vs, aws.ToString(m.Key)+" (delete marker)")
	}
	return vs, nil
}
