package labelcode

// bitString is a code's body as bits, most significant first.
type bitString struct {
	b [(bodyBits + 7) / 8]byte
	n int
}

// put appends the low width bits of v.
func (s *bitString) put(v uint64, width int) {
	for i := width - 1; i >= 0; i-- {
		s.putBit(byte(v>>i) & 1)
	}
}

// putBytes appends the first width bits of p.
func (s *bitString) putBytes(p []byte, width int) {
	for i := range width {
		s.putBit(p[i/8] >> (7 - i%8) & 1)
	}
}

func (s *bitString) putBit(bit byte) {
	s.b[s.n/8] |= bit << (7 - s.n%8)
	s.n++
}

func (s *bitString) bit(i int) uint64 { return uint64(s.b[i/8]>>(7-i%8)) & 1 }

// get reads width bits from bit offset.
func (s *bitString) get(offset, width int) uint64 {
	var v uint64
	for i := range width {
		v = v<<1 | s.bit(offset+i)
	}
	return v
}

// bytes reads width bits (a multiple of 8) from bit offset.
func (s *bitString) bytes(offset, width int) []byte {
	out := make([]byte, width/8)
	for i := range out {
		out[i] = byte(s.get(offset+8*i, 8))
	}
	return out
}
