package logctx

import (
	"errors"
	"net/url"
	"strings"
)

// ErrorText is err's text for a log line without the URL of a network error:
// an S3 URL holds the object key (which an uploader may have named after the
// patient, and which logs never carry).
func ErrorText(err error) string {
	text := err.Error()
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.URL != "" {
		text = strings.ReplaceAll(text, urlErr.URL, "<url>")
	}
	return text
}
