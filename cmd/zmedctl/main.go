// Command zmedctl is the operator's command (docs/operations.md): it lists
// filed results by outcome, month and reason, moves a stuck result back to
// completed/, replays the on-failure queue, shows an exam and sends a failed
// notification again. It uses the
// standard SDK configuration (profile, region, credentials, AWS_ENDPOINT_URL_*)
// and the stage's names from ZMED_* variables or flags; against the local
// stack, `make zmedctl` sets the endpoints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/wiring"
)

const usage = `zmedctl: the ZMED exam manager operator's command

  zmedctl list [-outcome stuck,denied,processed,deleted] [-month YYYY_MM] [-reason REASON]
      filed results: key, exam id, reason (zmed-reason), time
  zmedctl retry KEY
      move a result under stuck/ back to completed/ (once its cause is fixed)
  zmedctl replay
      replay the on-failure queue's events (those already filed have nothing left to do)
  zmedctl show EXAM_ID
      the exam as stored (status, times, notification, history), without the patient's document
  zmedctl notify EXAM_ID
      send again a notification recorded failed (SNS or SES refused it for good, or the only verified
      cellphone is not a Brazilian mobile), once the patient's contact is fixed: the patient is read again
  zmedctl worklist-backfill
      once, after the worklist index is deployed: key the exams stored before it, so that they show in
      the worklist of their status (a Scan of the table and one conditional write per such exam)

Names (flags or variables): -bucket ZMED_S3_BUCKET, -table ZMED_DYNAMO_EXAM_MANAGER_TABLE_NAME,
-queue ZMED_FAILURE_QUEUE (name or URL), -function ZMED_PROCESS_RESULT_FUNCTION (process-result's alias);
notify also needs ZMED_PATIENT_MANAGER_HOST and ZMED_EMAIL_SENDER (the stage's own values).
AWS access: the SDK's standard configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, ...).
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit status: 0 done, 1 failed, 2 misused.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := config.FromEnv()
	flags := flag.NewFlagSet("zmedctl", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage) }
	bucket := flags.String("bucket", env.String(config.BucketVar, config.DefaultBucket), "results bucket")
	table := flags.String("table", env.String(config.TableVar, config.DefaultTable), "exam table")
	queue := flags.String("queue", env.String("ZMED_FAILURE_QUEUE", "zmed-process-result-failures-dev"), "on-failure queue (name or URL)")
	function := flags.String("function", env.String(reconcile.ProcessResultFunctionVar, "process-result"), "process-result's function or alias")
	if err := flags.Parse(args); err != nil || flags.NArg() == 0 {
		if err == nil {
			flags.Usage()
		}
		return 2
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "zmedctl: AWS configuration: %v\n", err)
		return 1
	}
	_, local := os.LookupEnv("AWS_ENDPOINT_URL_S3")
	_, folders := resultfiling.ReadBucket(config.FromEnv())
	db := dynamodb.NewFromConfig(cfg)
	op := Operator{
		S3:    s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
		Exams: dynamostore.New(db, *table),
		BackfillWorklist: func(ctx context.Context) (int, error) {
			return dynamostore.BackfillWorklist(ctx, db, *table)
		},
		SQS:    sqs.NewFromConfig(cfg),
		Lambda: lambda.NewFromConfig(cfg),
		Bucket: *bucket, Folders: folders, Queue: *queue, Function: *function,
		Out: stdout, Progress: stderr, Now: time.Now,
	}
	if flags.Arg(0) == "notify" {
		resend, err := newResend(cfg, env, *table)
		if err != nil {
			fmt.Fprintf(stderr, "zmedctl notify: %v\n", err)
			return 1
		}
		op.Resend = resend
	}
	cmd, rest := flags.Arg(0), flags.Args()[1:]
	if err := dispatch(ctx, op, cmd, rest, stderr); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprint(stderr, usage)
			return 2
		}
		fmt.Fprintf(stderr, "zmedctl %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func dispatch(ctx context.Context, op Operator, cmd string, args []string, stderr io.Writer) error {
	switch cmd {
	case "list":
		flags := flag.NewFlagSet("list", flag.ContinueOnError)
		flags.SetOutput(stderr)
		outcomes := flags.String("outcome", "", "outcomes, comma-separated (all when empty)")
		month := flags.String("month", "", "YYYY_MM (all when empty)")
		reason := flags.String("reason", "", "zmed-reason (any when empty)")
		if err := flags.Parse(args); err != nil || flags.NArg() != 0 {
			return errUsage
		}
		var list []string
		if *outcomes != "" {
			for _, o := range strings.Split(*outcomes, ",") {
				folder, ok := map[string]string{"processed": op.Folders.Processed, "stuck": op.Folders.Stuck,
					"denied": op.Folders.Denied, "deleted": op.Folders.Deleted}[strings.TrimSpace(o)]
				if !ok {
					return fmt.Errorf("unknown outcome %q (processed, stuck, denied, deleted)", o)
				}
				list = append(list, folder)
			}
		}
		n, err := op.List(ctx, list, *month, *reason)
		fmt.Fprintf(stderr, "%d results\n", n)
		return err
	case "retry":
		if len(args) != 1 {
			return errUsage
		}
		dst, err := op.Retry(ctx, args[0])
		if err == nil {
			fmt.Fprintf(op.Out, "%s -> %s (its upload event processes it)\n", args[0], dst)
		}
		return err
	case "replay":
		if len(args) != 0 {
			return errUsage
		}
		rep, err := op.Replay(ctx)
		fmt.Fprintf(op.Out, "%d events: %d processed again, %d with nothing left to do, %d failed again\n",
			rep.Messages, rep.Reprocessed, rep.NothingLeft, rep.Failed)
		if err == nil && rep.Failed > 0 {
			err = fmt.Errorf("%d events failed again and stay in the queue", rep.Failed)
		}
		return err
	case "show":
		if len(args) != 1 {
			return errUsage
		}
		return op.Show(ctx, args[0])
	case "notify":
		if len(args) != 1 {
			return errUsage
		}
		return op.Notify(ctx, args[0])
	case "worklist-backfill":
		if len(args) != 0 {
			return errUsage
		}
		n, err := op.BackfillWorklist(ctx)
		fmt.Fprintf(op.Out, "%d exams keyed for the worklist\n", n)
		return err
	}
	return errUsage
}

// newResend is the use case that sends a failed notification again, on the
// stage's table, patient manager, SNS and SES (as the functions build them).
func newResend(cfg aws.Config, env *config.Reader, table string) (none exam.Resend, err error) {
	common := config.ReadCommon(env)
	sender := env.Required(config.EmailSenderVar)
	if err := env.Err(); err != nil {
		return none, err
	}
	return wiring.Resend(wiring.ResendPorts{Exams: dynamostore.New(dynamodb.NewFromConfig(cfg), table),
		Patients: boot.Patients(common), Notifier: wiring.Notifier(cfg, sender)}), nil
}
