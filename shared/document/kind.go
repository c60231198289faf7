package document

import "bytes"

// Kind is a document's type as its bytes say, never its name or Content-Type.
type Kind int

// Kinds.
const (
	Unknown Kind = iota
	PDF
	PNG
	JPEG
)

func (k Kind) String() string {
	return [...]string{"unknown", "pdf", "png", "jpeg"}[k]
}

// pdfHeaderWindow is how far into a file its %PDF- header may be: readers
// accept some bytes of junk before it.
const pdfHeaderWindow = 1024

// Sniff is the Kind of body from its first bytes.
func Sniff(body []byte) Kind {
	switch {
	case bytes.HasPrefix(body, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(body, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.Contains(body[:min(len(body), pdfHeaderWindow)], []byte("%PDF-")):
		return PDF
	}
	return Unknown
}
