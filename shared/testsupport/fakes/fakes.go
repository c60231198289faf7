// Package fakes holds test doubles for the domain's ports: a patient directory,
// a recording notifier, a clock and an id source. Tests and benchmarks use them.
package fakes

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
)

// Patients is an in-memory patient manager keyed by the 11 digits of the CPF.
type Patients struct {
	mu       sync.Mutex
	byDoc    map[string]exam.Patient
	failWith error
}

// NewPatients returns a directory holding ps.
func NewPatients(ps ...exam.Patient) *Patients {
	p := &Patients{byDoc: map[string]exam.Patient{}}
	for _, x := range ps {
		p.byDoc[x.Document] = x
	}
	return p
}

// FindByDocument returns the patient or exam.ErrPatientNotFound.
func (p *Patients) FindByDocument(_ context.Context, document string) (exam.Patient, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failWith != nil {
		return exam.Patient{}, p.failWith
	}
	x, ok := p.byDoc[document]
	if !ok {
		return exam.Patient{}, exam.ErrPatientNotFound
	}
	return x, nil
}

// Put adds or replaces a patient.
func (p *Patients) Put(x exam.Patient) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byDoc[x.Document] = x
}

// FailWith makes every lookup fail with err (nil to stop failing).
func (p *Patients) FailWith(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failWith = err
}

// Notifier records every message it accepts.
type Notifier struct {
	mu       sync.Mutex
	sent     []exam.Message
	failures int
}

// Notify records m, or fails while failures are pending.
func (n *Notifier) Notify(_ context.Context, m exam.Message) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failures > 0 {
		n.failures--
		return fmt.Errorf("%w: notifier down", exam.ErrDependency)
	}
	n.sent = append(n.sent, m)
	return nil
}

// FailNext makes the next k sends fail.
func (n *Notifier) FailNext(k int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failures = k
}

// Sent returns the messages accepted so far.
func (n *Notifier) Sent() []exam.Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]exam.Message(nil), n.sent...)
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time and moves it on by a microsecond, so that
// successive events are ordered.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Microsecond)
	return c.now
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// NewID returns random UUIDs, as production does.
func NewID() string { return uuid.NewString() }

// Fixture patients, with valid CPFs.
var (
	ActiveSMS = exam.Patient{ID: "patient-sms", Document: "52998224725", Name: "Maria da Silva", Status: exam.PatientActive,
		Cellphone: "+5511987654321", CellphoneVerified: true, Email: "maria.silva@example.com", EmailVerified: true}
	ActiveEmail = exam.Patient{ID: "patient-email", Document: "24843803480", Name: "João Pereira", Status: exam.PatientActive,
		Cellphone: "+5521912345678", Email: "joao.pereira@example.com", EmailVerified: true}
	ActiveNone = exam.Patient{ID: "patient-none", Document: "11144477735", Name: "Ana Souza", Status: exam.PatientActive,
		Cellphone: "+5531955554444", Email: "ana.souza@example.com"}
	Pending  = exam.Patient{ID: "patient-pending", Document: "39053344705", Name: "Carlos Lima", Status: exam.PatientPending}
	Inactive = exam.Patient{ID: "patient-inactive", Document: "86288366757", Name: "Beatriz Costa", Status: exam.PatientInactive,
		Cellphone: "+5541933332222", CellphoneVerified: true}
)

// AllPatients returns a directory with every fixture patient.
func AllPatients() *Patients {
	return NewPatients(ActiveSMS, ActiveEmail, ActiveNone, Pending, Inactive)
}

// Remove forgets the patient with document, as if the patient manager no longer knew them.
func (p *Patients) Remove(document string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.byDoc, document)
}
