package scantest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
)

// JPEG is img as a JPEG file of quality q, as a scanner saves it.
func JPEG(img image.Image, q int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err) // an in-memory image: a programming error
	}
	return b.Bytes()
}

// PNG is img as a PNG file (fast compression).
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PNGBomb is a valid PNG header declaring w × h grey pixels, with only a few
// black rows of data: small on the wire, huge once decoded.
func PNGBomb(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := append([]byte(kind), data...)
		out.Write(c)
		_ = binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	chunk("IHDR", append(ihdr, 8, 0, 0, 0, 0)) // 8-bit grey
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	_, _ = z.Write(make([]byte, 8<<20)) // the first rows, all black
	_ = z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// WithEXIFOrientation inserts, after a JPEG's SOI, an APP1 EXIF segment whose
// IFD0 holds one entry: the orientation tag, as a phone writes it.
func WithEXIFOrientation(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00*")
	_ = binary.Write(&tiff, binary.BigEndian, uint32(8))                // IFD0 offset
	_ = binary.Write(&tiff, binary.BigEndian, uint16(1))                // one entry
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})      // orientation, SHORT
	_ = binary.Write(&tiff, binary.BigEndian, uint32(1))                // count
	_ = binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0}) // value
	_ = binary.Write(&tiff, binary.BigEndian, uint32(0))                // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := append([]byte{0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(seg)+2))...)
	out := append([]byte{}, jpg[:2]...)
	out = append(append(out, app1...), seg...)
	return append(out, jpg[2:]...)
}

// JPEGDeclaring is a small real JPEG whose frame header is rewritten to
// declare w × h pixels: a bomb, or an empty image, told from its header.
func JPEGDeclaring(w, h uint16) []byte {
	jpg := JPEG(image.NewGray(image.Rect(0, 0, 16, 16)), 75)
	i := bytes.Index(jpg, []byte{0xFF, 0xC0})
	if i < 0 {
		panic("no baseline frame header") // Go's encoder writes one
	}
	binary.BigEndian.PutUint16(jpg[i+5:], h)
	binary.BigEndian.PutUint16(jpg[i+7:], w)
	return jpg
}

// BlankScan is a small JPEG of an empty page: a scan's pages without codes.
func BlankScan() []byte {
	g := image.NewGray(image.Rect(0, 0, 166, 234))
	for i := range g.Pix {
		g.Pix[i] = 245
	}
	return JPEG(g, 75)
}
