package memstore

import (
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) exam.Store { return New() })
}
