package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/zmed/exam-manager/local/stack"
)

// examRequest is what the make variables say of the exam.
type examRequest struct {
	Document string `json:"document"`
	ExamType int    `json:"exam_type"`
	ExamID   string `json:"exam_id,omitempty"`
}

// request reads DOCUMENT (default the first fixture patient), EXAM_TYPE
// (default 1) and EXAM_ID.
func request(getenv func(string) string) (examRequest, error) {
	r := examRequest{Document: getenv("DOCUMENT"), ExamType: 1, ExamID: getenv("EXAM_ID")}
	if r.Document == "" {
		r.Document = "529.982.247-25"
	}
	if t := getenv("EXAM_TYPE"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return examRequest{}, fmt.Errorf("EXAM_TYPE must be a catalog code (a number such as 1), got %q", t)
		}
		r.ExamType = n
	}
	return r, nil
}

// api is the local stack's HTTP API.
type api struct {
	addr   string
	bearer string // ATTENDANT_TOKEN: act as that attendant; empty for the local attendant
	client *http.Client
}

func newAPI(getenv func(string) string, client *http.Client) api {
	addr := getenv(stack.APIAddrVar)
	if addr == "" {
		addr = "127.0.0.1:3000"
	}
	return api{addr: addr, bearer: getenv("ATTENDANT_TOKEN"), client: client}
}

func (a api) register(ctx context.Context, r examRequest) (string, error) {
	var out struct {
		ExamID string `json:"exam_id"`
	}
	if err := a.post(ctx, "/exam/new", r, &out); err != nil {
		return "", err
	}
	return out.ExamID, nil
}

func (a api) start(ctx context.Context, r examRequest) (string, error) {
	if r.ExamID == "" {
		return "", errors.New("EXAM_ID is required: make -s start EXAM_ID=<the id make -s register printed>")
	}
	var out struct {
		ExamToken string `json:"exam_token"`
	}
	if err := a.post(ctx, "/exam/start", r, &out); err != nil {
		return "", err
	}
	return out.ExamToken, nil
}

// apiError is the API's error body.
type apiError struct {
	Error struct{ Code, Message string }
}

// post sends body to path and decodes a 2xx answer into out; any other answer
// is an error naming its status and code.
func (a api) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+a.addr+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return stack.Unreachable(stack.APIAddrVar, a.addr, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e apiError
		if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" {
			return fmt.Errorf("the API answered %d", resp.StatusCode)
		}
		return fmt.Errorf("the API answered %d %s: %s", resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the API's answer: %w", err)
	}
	return nil
}
