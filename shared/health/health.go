// Package health is the check a function answers before it takes traffic: the
// pre-traffic hook invokes each new version with the health event of its kind
// (the event its trigger sends, marked so that no trigger can produce it), and
// the function answers without touching any data. An answer at all means the
// cold start got through: every main reads its configuration and secrets and
// builds its clients before it starts its handler, and stops when one fails.
//
// Each kind is recognised in one place, the handler of that event kind:
// shared/apigw (and the console's handler) for API Gateway, shared/s3event for
// S3 notifications, shared/scheduled for EventBridge schedules,
// shared/keyrotation for Secrets Manager's rotation steps.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
)

// Kind is the kind of event a function is invoked with.
type Kind string

// The kinds of event the functions take.
const (
	API      Kind = "api"      // API Gateway HTTP API, payload format 2.0
	S3       Kind = "s3"       // S3 event notification
	Schedule Kind = "schedule" // EventBridge scheduled event
	Rotation Kind = "rotation" // a Secrets Manager rotation step
)

// Kinds are every kind a health event exists for.
func Kinds() []Kind { return []Kind{API, S3, Schedule, Rotation} }

// The markers of the health events: values the trigger of each kind never
// sends, so that only a direct invoke (which IAM grants the hook alone) can
// reach the health answer.
const (
	// RouteKey is the health event's route key. API Gateway sets the route key
	// of the route it matched, "$default" or "METHOD /path"; this is neither.
	RouteKey = "$zmed-health"
	// EventSource is the health event's one record's source; S3 writes "aws:s3".
	EventSource = "zmed:health"
	// Source is the health event's source; a schedule's event says "aws.events".
	Source = "zmed.health"
	// RotationStep is the health event's rotation step; Secrets Manager sends
	// createSecret, setSecret, testSecret or finishSecret.
	RotationStep = "zmed:health"
)

// OK is Answer.Health of a function that answered.
const OK = "ok"

// Answer is a function's answer to the health event.
type Answer struct {
	Health   string `json:"health"`
	Kind     Kind   `json:"kind"`
	Function string `json:"function"`
	// Version is the version that answered (AWS_LAMBDA_FUNCTION_VERSION), for
	// the hook to see the version it deploys answer.
	Version string `json:"version"`
}

// Answered returns this process's answer to the health event of kind and logs it.
func Answered(ctx context.Context, kind Kind) Answer {
	a := Answer{Health: OK, Kind: kind, Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), Version: os.Getenv("AWS_LAMBDA_FUNCTION_VERSION")}
	slog.InfoContext(ctx, "health event answered", "kind", string(kind), "version", a.Version)
	return a
}

// ErrUnknownKind is the error of a kind no health event exists for.
var ErrUnknownKind = errors.New("health: no health event of this kind")

// Event is the health event of kind, as the hook sends it.
func Event(kind Kind) ([]byte, error) {
	switch kind {
	case API:
		return json.Marshal(events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: RouteKey})
	case S3:
		return json.Marshal(events.S3Event{Records: []events.S3EventRecord{{EventVersion: "2.1", EventSource: EventSource}}})
	case Schedule:
		return json.Marshal(events.EventBridgeEvent{Version: "0", DetailType: "Health Check", Source: Source, Detail: json.RawMessage("{}")})
	case Rotation:
		return json.Marshal(map[string]string{"Step": RotationStep})
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownKind, kind)
}

// Check says what is wrong with payload as the answer of a function of kind
// to its health event, from version (any version when version is ""); nil
// when it is right.
func Check(kind Kind, payload []byte, version string) error {
	body := payload
	if kind == API {
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(payload, &resp); err != nil {
			return fmt.Errorf("health: the answer is not an API Gateway response: %w", err)
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("health: the answer's status is %d, want 200", resp.StatusCode)
		}
		body = []byte(resp.Body)
	}
	var a Answer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("health: the answer is not a health answer: %w", err)
	}
	switch {
	case a.Health != OK:
		return fmt.Errorf("health: the answer says health %q, want %q", a.Health, OK)
	case a.Kind != kind:
		return fmt.Errorf("health: the answer is of kind %q, want %q", a.Kind, kind)
	case version != "" && a.Version != version:
		return fmt.Errorf("health: version %q answered, want %q", a.Version, version)
	}
	return nil
}
