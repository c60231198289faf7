package qrscan

import (
	"bytes"
	"encoding/binary"
)

// exifOrientation reads the orientation tag (1–8) of a JPEG's EXIF segment,
// 1 (upright) when there is none or it cannot be read. Only this one tag of
// IFD0 is needed, so the few lines below stand in for an EXIF library.
func exifOrientation(jpg []byte) int {
	b := jpg[2:] // after SOI
	for len(b) >= 4 && b[0] == 0xFF {
		marker, n := b[1], int(binary.BigEndian.Uint16(b[2:4]))
		if marker == 0xDA || n < 2 || len(b) < 2+n { // start of scan: no more headers
			return 1
		}
		seg := b[4 : 2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		b = b[2+n:]
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of IFD0 of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(order.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(order.Uint16(t[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			return 1
		}
		const orientationTag, shortType = 0x0112, 3
		if order.Uint16(t[e:]) == orientationTag && order.Uint16(t[e+2:]) == shortType {
			if o := int(order.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
