// Command invoke is the docker-free `sam local invoke`: it builds one function
// for this machine, starts the local stack's DynamoDB, S3, SNS/SES and patient
// manager endpoints seeded with events/fixtures.json, runs the function under
// the Lambda runtime interface emulator with events/env.json's variables,
// invokes it once with an event file, prints the response and stops everything.
//
//	go run ./local/invoke -fn register-exam -event events/register-exam/register.json -rie .tools/bin/aws-lambda-rie
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/zmed/exam-manager/local/lambdarun"
)

func main() {
	fn := flag.String("fn", "", "the function folder under functions/, e.g. register-exam")
	eventPath := flag.String("event", "", "the event file, e.g. events/register-exam/register.json")
	rie := flag.String("rie", ".tools/bin/aws-lambda-rie", "the aws-lambda-rie binary")
	flag.Parse()
	if err := run(*fn, *eventPath, *rie); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

func run(fn, eventPath, rie string) error {
	if fn == "" || eventPath == "" {
		return fmt.Errorf("usage: make invoke FN=<function folder> EVENT=events/<function>/<file>.json")
	}
	if _, err := os.Stat(filepath.Join("functions", fn)); err != nil {
		return fmt.Errorf("no function folder functions/%s", fn)
	}
	event, err := os.ReadFile(eventPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	work, err := os.MkdirTemp("", "zmed-invoke-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	root, _ := os.Getwd()
	bootstrap, err := lambdarun.Build(ctx, root, fn, work)
	if err != nil {
		return err
	}
	s, err := lambdarun.Start(ctx, root, rie, work, os.Stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	response, err := s.Invoke(ctx, fn, bootstrap, event, os.Stderr)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, response, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(response)
	}
	fmt.Println(strings.TrimSpace(pretty.String()))
	return nil
}
