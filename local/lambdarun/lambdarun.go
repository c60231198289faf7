// Package lambdarun invokes a function's real binary under the Lambda runtime
// interface emulator (aws-lambda-rie), the docker-free counterpart of
// `sam local invoke`: the SDK endpoints point at the local stack's DynamoDB, S3
// and SNS/SES endpoints, and the patient manager is the local one.
package lambdarun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/samtemplate"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// Session is a local stack seeded with the sample events' fixtures.
type Session struct {
	Stack *stack.Stack
	root  string
	rie   string
}

// Start starts a stack on free loopback ports, seeded from events/fixtures.json
// under root, for functions run by the emulator binary rie.
func Start(ctx context.Context, root, rie, workDir string, console io.Writer) (*Session, error) {
	cfg, err := stack.ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0", "ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0", "ZMED_LOCAL_OPS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_NOTIFICATIONS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS":           filepath.Join(root, "local", "patients.json"),
		"ZMED_LOCAL_OUTBOX":             filepath.Join(workDir, "outbox.jsonl"),
	}))
	if err != nil {
		return nil, err
	}
	s := &Session{root: root, rie: rie}
	fixtures, err := LoadFixtures(filepath.Join(root, "events", "fixtures.json"))
	if err != nil {
		return nil, err
	}
	if s.Stack, err = stack.Start(ctx, cfg, console); err != nil {
		return nil, err
	}
	if err := Seed(ctx, s.Stack, fixtures); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the stack.
func (s *Session) Close() { _ = s.Stack.Close() }

// Build compiles functions/<folder> for this machine with the Lambda build tag.
func Build(ctx context.Context, root, folder, outDir string) (string, error) {
	out := filepath.Join(outDir, folder, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./functions/"+folder)
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", folder, err, msg)
	}
	return out, nil
}

// Invoke runs bootstrap (the binary of functions/<folder>) under the emulator
// with its variables from events/env.json pointed at the session's endpoints,
// sends it event once, and returns the function's response. The function's
// own output goes to logs.
func (s *Session) Invoke(ctx context.Context, folder, bootstrap string, event []byte, logs io.Writer) ([]byte, error) {
	env, err := s.Environment(folder)
	if err != nil {
		return nil, err
	}
	return Run(ctx, s.rie, bootstrap, env, event, logs)
}

// Environment is functions/<folder>'s environment on this session: its
// variables from events/env.json, every client pointed at the session's
// endpoints.
func (s *Session) Environment(folder string) ([]string, error) {
	st := s.Stack
	return Environment(s.root, folder, Endpoints{
		DynamoDB: st.DynamoDBURL, S3: st.S3URL, SNS: st.NotificationsURL, SES: st.NotificationsURL, PatientManager: st.PatientsURL,
		Lambda: st.OpsURL, CodeDeploy: st.OpsURL, // the local stack has no CodeDeploy: the hook's calls fail on loopback
	})
}

// Run runs bootstrap under the emulator rie with the environment env, sends it
// event once and returns the function's response.
func Run(ctx context.Context, rie, bootstrap string, env []string, event []byte, logs io.Writer) ([]byte, error) {
	e, err := StartEmulator(ctx, rie, bootstrap, env, logs, nil)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.Invoke(ctx, event)
}

// Emulator is a function's binary under the emulator, kept warm between
// invocations as Lambda keeps an execution environment.
type Emulator struct {
	cmd        *exec.Cmd
	invokeAddr string
}

// StartEmulator starts the emulator rie for bootstrap with the environment
// env; the function itself starts at the first Invoke. placed, when not nil,
// is given the emulator's process id before that (e.g. to put it in a
// cgroup, which the function then inherits).
func StartEmulator(ctx context.Context, rie, bootstrap string, env []string, logs io.Writer, placed func(pid int) error) (*Emulator, error) {
	invokeAddr, err := emulators.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	runtimeAPIAddr, err := emulators.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", invokeAddr, "--runtime-api-address", runtimeAPIAddr, bootstrap)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the function process stops with it
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	e := &Emulator{cmd: cmd, invokeAddr: invokeAddr}
	if placed != nil {
		if err := placed(cmd.Process.Pid); err != nil {
			e.Close()
			return nil, err
		}
	}
	// The emulator starts the function at the first invoke, but listens on
	// its runtime API address from a goroutine of its own, in no set order
	// with its invoke address: a function started before that listens is
	// refused and exits (the emulator answers 502). Lambda starts a runtime
	// only once its runtime API is up, so the invoke waits for both.
	for _, addr := range []string{invokeAddr, runtimeAPIAddr} {
		if err := waitListening(ctx, addr); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// Invoke sends event to the function and returns its response.
func (e *Emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.invokeAddr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("invoke: emulator answered %d", resp.StatusCode)
	}
	return body, nil
}

// FunctionPeakMemory is the function process's peak resident memory so far
// (its VmHWM), what Lambda reports as "Max Memory Used"; the emulator's own
// is not counted. 0 before the first Invoke.
func (e *Emulator) FunctionPeakMemory() (int64, error) {
	var peak int64
	for _, pid := range children(e.cmd.Process.Pid) {
		kb, err := PeakMemoryKB(pid)
		if err != nil {
			return 0, err
		}
		peak = max(peak, kb*1024)
	}
	return peak, nil
}

// Close stops the function and the emulator; every byte they wrote has
// reached logs when it returns.
func (e *Emulator) Close() { stop(e.cmd) }

// Endpoints are where a function's clients go.
type Endpoints struct {
	DynamoDB, S3, SNS, SES, PatientManager string
	Lambda                                 string // the local stack's Lambda Invoke (process-result), for the reconciler
	CodeDeploy                             string // for the pre-traffic hook
}

// Environment is what Lambda would give functions/<folder>: its variables
// from events/env.json under root, as `sam local invoke --env-vars` resolves
// that file (samtemplate.LocalVariables), with the SDK pointed at e through
// its own settings.
func Environment(root, folder string, e Endpoints) ([]string, error) {
	vars, err := samtemplate.LocalVariables(root, samtemplate.LogicalID(folder))
	if err != nil {
		return nil, err
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=" + emulators.Region,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_DYNAMODB=" + e.DynamoDB,
		"AWS_ENDPOINT_URL_S3=" + e.S3,
		"AWS_ENDPOINT_URL_SNS=" + e.SNS,
		"AWS_ENDPOINT_URL_SESV2=" + e.SES,
		"AWS_ENDPOINT_URL_LAMBDA=" + e.Lambda,
		"AWS_ENDPOINT_URL_CODEDEPLOY=" + e.CodeDeploy,
		"AWS_REQUEST_CHECKSUM_CALCULATION=when_required",
		"AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
		"AWS_LAMBDA_FUNCTION_NAME=" + folder,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
	}
	for k, v := range vars {
		if strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
			continue // the session's own endpoints, set above
		}
		if k == config.PatientManagerVar {
			v = e.PatientManager
		}
		env = append(env, k+"="+v)
	}
	return env, nil
}

func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(time.Minute) // against a hang only: a loaded machine is slow to start it
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.Join(fmt.Errorf("the emulator did not listen on %s", addr), err, ctx.Err())
		}
		time.Sleep(time.Millisecond) // fine-grained: cold starts are measured through this
	}
}
