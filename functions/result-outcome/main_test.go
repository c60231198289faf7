package main

import (
	"testing"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// TestTemplate holds template.yaml, the Makefile and events/ to this function's code.
func TestTemplate(t *testing.T) {
	samtemplate.CheckFunction(t, "result-outcome", func(r *config.Reader) { boot.Read(r, readSettings) })
}
