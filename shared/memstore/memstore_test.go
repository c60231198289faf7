package memstore

import (
	"testing"

	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, c cursor.Codec) exam.Store { return New(c) })
}
