// Package lambdarun invokes a function's real binary under the Lambda runtime
// interface emulator (aws-lambda-rie), the docker-free counterpart of
// `sam local invoke`: the SDK endpoints point at the local stack's DynamoDB, S3
// and SNS/SES endpoints, and the patient manager is the local one.
package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/emulators"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// Session is a local stack seeded with the sample events' fixtures.
type Session struct {
	Stack *stack.Stack
	root  string
	rie   string
	env   map[string]map[string]string
}

// Start starts a stack on free loopback ports, seeded from events/fixtures.json
// under root, for functions run by the emulator binary rie.
func Start(ctx context.Context, root, rie, workDir string, console io.Writer) (*Session, error) {
	cfg, err := stack.ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0", "ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_NOTIFICATIONS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS":           filepath.Join(root, "local", "patients.json"),
		"ZMED_LOCAL_OUTBOX":             filepath.Join(workDir, "outbox.jsonl"),
	}))
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(root, "events", "env.json"))
	if err != nil {
		return nil, err
	}
	s := &Session{root: root, rie: rie}
	if err := json.Unmarshal(raw, &s.env); err != nil {
		return nil, fmt.Errorf("events/env.json: %w", err)
	}
	fixtures, err := LoadFixtures(filepath.Join(root, "events", "fixtures.json"))
	if err != nil {
		return nil, err
	}
	if s.Stack, err = stack.Start(ctx, cfg, console); err != nil {
		return nil, err
	}
	if err := seed(ctx, s.Stack, fixtures); err != nil {
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

// Invoke runs bootstrap (the binary of functions/<folder>) under the emulator,
// sends it event once, and returns the function's response. The function's
// own output goes to logs.
func (s *Session) Invoke(ctx context.Context, folder, bootstrap string, event []byte, logs io.Writer) ([]byte, error) {
	env, ok := s.env[samtemplate.LogicalID(folder)]
	if !ok {
		return nil, fmt.Errorf("events/env.json has no variables for %s", samtemplate.LogicalID(folder))
	}
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	runtimeAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(s.rie, "--runtime-interface-emulator-address", apiAddr, "--runtime-api-address", runtimeAddr, bootstrap)
	cmd.Env = s.environment(folder, env)
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the function process stops with it
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.rie, err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	if err := waitListening(ctx, apiAddr); err != nil {
		return nil, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+apiAddr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
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

// environment is what Lambda would give the function: its template variables
// (from events/env.json, the file `sam local invoke --env-vars` takes), pointed
// at the local endpoints through the SDK's own settings.
func (s *Session) environment(folder string, vars map[string]string) []string {
	st := s.Stack
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=" + emulators.Region,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_DYNAMODB=" + st.DynamoDBURL,
		"AWS_ENDPOINT_URL_S3=" + st.S3URL,
		"AWS_ENDPOINT_URL_SNS=" + st.NotificationsURL,
		"AWS_ENDPOINT_URL_SESV2=" + st.NotificationsURL,
		"AWS_REQUEST_CHECKSUM_CALCULATION=when_required",
		"AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
		"AWS_LAMBDA_FUNCTION_NAME=" + folder,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
	}
	for k, v := range vars {
		if k == config.PatientManagerVar {
			v = st.PatientsURL
		}
		env = append(env, k+"="+v)
	}
	return env
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.Join(fmt.Errorf("the emulator did not listen on %s", addr), err, ctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
