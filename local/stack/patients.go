package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/zmed/exam-manager/shared/cpf"
)

// PatientRecord is a patient as the ZMED patient manager returns it.
type PatientRecord struct {
	ID                  string  `json:"id"`
	Document            string  `json:"document"`
	Name                string  `json:"name"`
	Status              string  `json:"status"`
	BirthDate           *string `json:"birth_date,omitempty"` // YYYY-MM-DD, when the patient manager has it
	Cellphone           string  `json:"cellphone"`
	CellphoneVerifiedAt *string `json:"cellphone_verified_at"`
	Email               string  `json:"email"`
	EmailVerifiedAt     *string `json:"email_verified_at"`
}

// LoadPatients reads the fixture file, refusing invalid documents and duplicates.
func LoadPatients(path string) ([]PatientRecord, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("patients file: %w", err)
	}
	var records []PatientRecord
	if err := json.Unmarshal(raw, &records); err != nil {
		return nil, fmt.Errorf("patients file %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, p := range records {
		digits, err := cpf.Normalize(p.Document)
		if err != nil || p.ID == "" || seen[digits] {
			return nil, fmt.Errorf("patients file %s: patient %d has no id, an invalid or a repeated document", path, i+1)
		}
		seen[digits] = true
		records[i].Document = digits
	}
	return records, nil
}

// PatientManager serves POST /document/find as the ZMED patient manager does.
func PatientManager(records []PatientRecord) http.Handler {
	byDoc := map[string]PatientRecord{}
	for _, p := range records {
		byDoc[p.Document] = p
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /document/find", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Document string `json:"document"`
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid request"}`))
			return
		}
		p, ok := byDoc[in.Document]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"patient not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(p)
	})
	return mux
}
