package stack

import (
	"fmt"
	"io"
	"strings"

	"github.com/zmed/exam-manager/local/authorizer"
)

// PrintBanner tells a newcomer what runs where and how to try it.
func (s *Stack) PrintBanner(w io.Writer) {
	c := s.Config
	var b strings.Builder
	fmt.Fprintf(&b, "\nZMED exam manager: local stack ready (data in memory; Ctrl-C stops it)\n\n")
	fmt.Fprintf(&b, "  HTTP API          %s\n", s.APIURL)
	fmt.Fprintf(&b, "  console           %s/   the attendants' page\n", s.APIURL)
	fmt.Fprintf(&b, "  S3 endpoint       %s   bucket %s, uploads under %s/ are processed\n", s.S3URL, c.Bucket, c.Folders.Completed)
	fmt.Fprintf(&b, "  DynamoDB endpoint %s   table %s\n", s.DynamoDBURL, c.Table)
	fmt.Fprintf(&b, "  patient manager   %s   patients from %s\n", s.PatientsURL, c.PatientsFile)
	fmt.Fprintf(&b, "  SQS + Lambda      %s   on-failure queue %s; Invoke runs process-result\n", s.OpsURL, FailureQueueName)
	fmt.Fprintf(&b, "  reconciler        every %v, for results in %s/ over %v old\n", c.ReconcileEvery, c.Folders.Completed, c.ReconcileMinAge)
	fmt.Fprintf(&b, "  outbox            %s\n\n", c.OutboxFile)
	fmt.Fprintf(&b, "  ZMED_JWT_KEY=%s\n  ZMED_RESULT_JWT_KEY=%s\n", c.ExamKey, c.ResultKey)
	fmt.Fprintf(&b, "  %s=%s\n", authorizer.KeyVar, c.AttendantKey)
	fmt.Fprintf(&b, "  callers: without a token, the local attendant; as another: make -s attendant-token NAME=ana, then\n")
	fmt.Fprintf(&b, "  send it as Authorization: Bearer <token> (a bad or expired one is 401 UNAUTHENTICATED)\n\n")
	fmt.Fprintf(&b, "  fixture patients:\n")
	for _, p := range s.Patients {
		var channels []string
		if p.CellphoneVerifiedAt != nil {
			channels = append(channels, "verified cellphone")
		}
		if p.EmailVerifiedAt != nil {
			channels = append(channels, "verified e-mail")
		}
		if len(channels) == 0 {
			channels = append(channels, "no verified contact")
		}
		fmt.Fprintf(&b, "    %s  %-8s  %s\n", p.Document, p.Status, strings.Join(channels, ", "))
	}
	fmt.Fprintf(&b, "\n  try:\n    curl -s -X POST %s/exam/new -H 'Content-Type: application/json' -d '{\"document\": \"529.982.247-25\", \"exam_type\": 1}'\n", s.APIURL)
	fmt.Fprintf(&b, "  then follow the README's quick start (start, upload a result, see the outbox).\n\n")
	_, _ = io.WriteString(w, b.String())
}
