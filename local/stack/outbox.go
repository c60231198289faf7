package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// Outbox is the local notifier: each message is printed and appended as one
// JSON line to a file, in place of an SMS or an e-mail.
type Outbox struct {
	path    string
	console io.Writer
	mu      sync.Mutex
}

// outboxLine is one line of the outbox file.
type outboxLine struct {
	Channel exam.Channel `json:"channel"`
	To      string       `json:"to"`
	ExamID  string       `json:"exam_id,omitempty"` // unknown for messages that came over the SNS/SES wire
	Message string       `json:"message"`
	At      time.Time    `json:"at"`
}

// NewOutbox returns an outbox appending to path (its folder is created).
func NewOutbox(path string, console io.Writer) (*Outbox, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return &Outbox{path: path, console: console}, nil
}

// Notify records m.
func (o *Outbox) Notify(_ context.Context, m exam.Message) error {
	line, err := json.Marshal(outboxLine{Channel: m.Channel, To: m.To, ExamID: m.ExamID, Message: m.Text, At: time.Now().UTC()})
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := os.OpenFile(o.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	about := ""
	if m.ExamID != "" {
		about = " (exam " + m.ExamID + ")"
	}
	fmt.Fprintf(o.console, "📨 %s to %s%s: %s\n", m.Channel, m.To, about, m.Text)
	return nil
}
