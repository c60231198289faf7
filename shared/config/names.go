package config

import "time"

// Variable names shared by the functions. Seed names are kept where they existed.
const (
	TableVar              = "ZMED_DYNAMO_EXAM_MANAGER_TABLE_NAME"
	PatientManagerVar     = "ZMED_PATIENT_MANAGER_HOST"
	PatientTimeoutVar     = "ZMED_PATIENT_MANAGER_TIMEOUT"
	ExamKeyVar            = "ZMED_JWT_KEY"
	ResultKeyVar          = "ZMED_RESULT_JWT_KEY"
	CursorKeyVar          = "ZMED_CURSOR_KEY"
	ActorKeyVar           = "ZMED_ACTOR_KEY"
	ExamTokenTTLVar       = "ZMED_EXAM_TOKEN_TTL"
	EmailSenderVar        = "ZMED_EMAIL_SENDER"
	BucketVar             = "ZMED_S3_BUCKET"
	CompletedPrefixVar    = "ZMED_S3_COMPLETED_KEY"
	ProcessedPrefixVar    = "ZMED_S3_PROCESSED_KEY"
	StuckPrefixVar        = "ZMED_S3_STUCK_KEY"
	DeniedPrefixVar       = "ZMED_S3_DENIED_KEY"
	DeletedPrefixVar      = "ZMED_S3_DELETED_KEY"
	LogLevelVar           = "ZMED_LOG_LEVEL"
	DefaultTable          = "zmed_exam_table"
	DefaultBucket         = "zmed-exams-result"
	DefaultPatientTimeout = 3 * time.Second
)

// SecretSuffix marks the variable naming a Secrets Manager secret that holds a
// key: ZMED_JWT_KEY_SECRET_ARN instead of ZMED_JWT_KEY in AWS.
const SecretSuffix = "_SECRET_ARN"

// Common is what every function needs: the exam table and the patient manager.
type Common struct {
	Table          string
	PatientManager string
	PatientTimeout time.Duration
}

// ReadCommon reads the table and patient-manager settings.
func ReadCommon(r *Reader) Common {
	return Common{
		Table:          r.String(TableVar, DefaultTable),
		PatientManager: r.URL(PatientManagerVar),
		PatientTimeout: r.Duration(PatientTimeoutVar, DefaultPatientTimeout),
	}
}

// API is what every API function needs: Common, and the key of the
// pseudonyms its audit lines give an attendant whose id is not a UUID.
type API struct {
	Common
	ActorKey Key
}

// ReadAPI reads the settings every API function shares.
func ReadAPI(r *Reader) API {
	return API{Common: ReadCommon(r), ActorKey: r.Key(ActorKeyVar)}
}

// Paging is what an API function that pages needs: API, and the key that
// signs its cursors.
type Paging struct {
	API
	CursorKey Key
}

// ReadPaging reads the settings of an API function that pages.
func ReadPaging(r *Reader) Paging {
	return Paging{API: ReadAPI(r), CursorKey: r.Key(CursorKeyVar)}
}

// Key says where a signing key comes from: its value, or a secret holding it.
type Key struct {
	Name      string // the variable, e.g. ZMED_JWT_KEY
	Value     string
	SecretARN string
}

// Key reads NAME (the key itself, for local use) or NAME_SECRET_ARN (in AWS);
// exactly one of them must be set.
func (r *Reader) Key(name string) Key {
	value, hasValue := r.get(name)
	arn, hasARN := r.get(name + SecretSuffix)
	switch {
	case hasValue && hasARN:
		r.fail("set only one of %s and %s", name, name+SecretSuffix)
	case !hasValue && !hasARN:
		r.fail("%s (or %s) is required", name, name+SecretSuffix)
	}
	return Key{Name: name, Value: value, SecretARN: arn}
}
