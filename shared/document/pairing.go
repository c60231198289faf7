package document

import (
	"errors"

	"github.com/zmed/exam-manager/shared/exam"
)

// candidate is a code whose signature verifies as one kind of token, with the
// exam it names ("" for an expired one: its claims are not read).
type candidate struct{ code, examID string }

// pairing collects the codes of a document as candidate exam and result
// tokens, and picks the pair the finish use case is given.
type pairing struct {
	tokens         exam.TokenVerifier
	dict           Tokens // what the information dictionary held, if anything
	seen           map[string]bool
	exams, results []candidate
}

// add classifies codes: each is tried as an exam token and as a result token.
// An expired token still counts, so that it is filed as token_expired rather
// than missing_tokens.
func (p *pairing) add(codes []string) {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	for _, code := range codes {
		if code == "" || len(code) > maxCodeLen || p.seen[code] {
			continue
		}
		p.seen[code] = true
		if c, err := p.tokens.VerifyExamToken(code); signed(err) {
			p.exams = append(p.exams, candidate{code, c.ExamID})
		}
		if c, err := p.tokens.VerifyResultToken(code); signed(err) {
			p.results = append(p.results, candidate{code, c.ExamID})
		}
	}
}

func signed(err error) bool { return err == nil || errors.Is(err, exam.ErrTokenExpired) }

// pair is the pair of tokens to try, and whether both name the same exam.
// The dictionary's tokens come first; among codes, a pair naming one exam is
// preferred; else the first of each kind (the finish use case then says why
// they do not go together).
func (p *pairing) pair() (Tokens, bool) {
	exams, results := p.exams, p.results
	if p.dict.Exam != "" {
		exams = []candidate{p.verifiedExam(p.dict.Exam)}
	}
	if p.dict.Result != "" {
		results = []candidate{p.verifiedResult(p.dict.Result)}
	}
	for _, e := range exams {
		for _, r := range results {
			if e.examID != "" && e.examID == r.examID {
				return Tokens{Exam: e.code, Result: r.code}, true
			}
		}
	}
	var t Tokens
	if len(exams) > 0 {
		t.Exam = exams[0].code
	}
	if len(results) > 0 {
		t.Result = results[0].code
	}
	return t, false
}

func (p *pairing) verifiedExam(code string) candidate {
	c, _ := p.tokens.VerifyExamToken(code)
	return candidate{code, c.ExamID}
}

func (p *pairing) verifiedResult(code string) candidate {
	c, _ := p.tokens.VerifyResultToken(code)
	return candidate{code, c.ExamID}
}
