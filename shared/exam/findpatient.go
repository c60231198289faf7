package exam

import "context"

// PatientCard is what the front desk sees of a patient: who they are and what
// can be done for them, never how to reach them (no number, no address).
type PatientCard struct {
	ID        string
	Name      string
	Status    PatientStatus
	BirthDate string // YYYY-MM-DD, "" when unknown
	// CanRegister: registration would accept this patient (an active one).
	CanRegister bool
	// SMS and Email: a result notice could reach the patient that way.
	SMS, Email bool
}

// FindPatient looks a patient up for the front desk, whatever their status.
type FindPatient struct {
	Patients PatientFinder
}

// Run returns the card of the patient with this CPF.
func (f FindPatient) Run(ctx context.Context, document string) (PatientCard, error) {
	p, err := findPatient(ctx, f.Patients, document)
	if err != nil {
		return PatientCard{}, err
	}
	return PatientCard{
		ID: p.ID, Name: p.Name, Status: p.Status, BirthDate: p.BirthDate,
		CanRegister: p.Active(),
		SMS:         p.CanGetSMS(), Email: p.CanGetEmail(),
	}, nil
}
