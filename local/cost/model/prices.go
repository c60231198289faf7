package model

import (
	"fmt"
	"sort"
)

// Price is one price: USD per Unit, where it was read and when. A nil USD
// is a price nobody has given yet (the SMS price for Brazil ships so): its
// lines are printed as not priced and left out of the totals.
type Price struct {
	USD    *float64 `json:"usd"`
	Unit   string   `json:"unit"`
	Source string   `json:"source"`
	Date   string   `json:"date"`
}

// Prices is prices.json: every price the model uses, and the workload's own
// parameters.
type Prices struct {
	Comment string           `json:"comment"`
	Region  string           `json:"region"`
	Prices  map[string]Price `json:"prices"`
	// SMSShare is the share of patients told by SMS (the rest by e-mail):
	// the clinic's, not a price.
	SMSShare float64 `json:"sms_share"`
	// QueryPageItems is how many exams one listing or worklist page reads.
	QueryPageItems int `json:"query_page_items"`
}

// The prices the model reads, by name in prices.json.
const (
	LambdaRequest        = "lambda_request"
	LambdaGBSecondArm    = "lambda_gb_second_arm64"
	APIRequest           = "api_gateway_http_request"
	DynamoWriteUnit      = "dynamodb_write_request_unit"
	DynamoReadUnit       = "dynamodb_read_request_unit"
	DynamoStorageGBMonth = "dynamodb_storage_gb_month"
	DynamoBackupGBMonth  = "dynamodb_pitr_gb_month"
	S3PutRequest         = "s3_put_copy_post_list_request"
	S3GetRequest         = "s3_get_head_request"
	S3StorageGBMonth     = "s3_standard_storage_gb_month"
	LogsIngestionGB      = "cloudwatch_logs_ingestion_gb"
	AlarmMonth           = "cloudwatch_alarm_month"
	DashboardMonth       = "cloudwatch_dashboard_month"
	CustomMetricMonth    = "cloudwatch_custom_metric_month"
	KMSKeyMonth          = "kms_key_month"
	SecretMonth          = "secrets_manager_secret_month"
	CloudTrailDataEvent  = "cloudtrail_data_event"
	SESEmail             = "ses_email"
	SMSBrazil            = "sns_sms_brazil"
	XRayTrace            = "xray_trace_recorded"
)

// required lists every price the model reads.
var required = []string{LambdaRequest, LambdaGBSecondArm, APIRequest, DynamoWriteUnit, DynamoReadUnit,
	DynamoStorageGBMonth, DynamoBackupGBMonth, S3PutRequest, S3GetRequest, S3StorageGBMonth, LogsIngestionGB,
	AlarmMonth, DashboardMonth, CustomMetricMonth, KMSKeyMonth, SecretMonth, CloudTrailDataEvent, SESEmail, SMSBrazil, XRayTrace}

// Check reports a price the model needs that the file lacks, or one without
// its source and date.
func (p Prices) Check() error {
	var missing []string
	for _, name := range required {
		pr, ok := p.Prices[name]
		if !ok || pr.Source == "" || pr.Date == "" || pr.Unit == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("prices: %v missing, or without unit, source and date", missing)
	}
	if p.SMSShare < 0 || p.SMSShare > 1 {
		return fmt.Errorf("prices: sms_share %v is not between 0 and 1", p.SMSShare)
	}
	if p.QueryPageItems < 1 {
		return fmt.Errorf("prices: query_page_items %d is not a page", p.QueryPageItems)
	}
	return nil
}

// usd is the price of name, and whether it is given.
func (p Prices) usd(name string) (float64, bool) {
	pr := p.Prices[name]
	if pr.USD == nil {
		return 0, false
	}
	return *pr.USD, true
}
