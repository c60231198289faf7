// Package dynamosize sizes a DynamoDB item as DynamoDB bills it (the bench
// prices writes and reads by it; the store's tests bound the worklist index's
// items with it).
package dynamosize

import (
	"math/big"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ItemSize is the size DynamoDB bills an item by, as its developer guide
// counts it: each attribute's name in UTF-8 bytes plus its value; a string
// its UTF-8 bytes, a binary its bytes, a number about one byte per two
// significant digits plus one, a boolean or null one byte, a list or map
// three bytes plus one per element plus its elements (and, in a map, their
// names).
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for name, e := range v.Value {
			n += 1 + len(name) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is a number's size: its significant digits halved, rounded up,
// plus one.
func numberSize(s string) int {
	f, ok := new(big.Float).SetString(s)
	if !ok {
		return len(s)
	}
	digits := strings.Trim(strings.ReplaceAll(strings.TrimLeft(f.Text('f', -1), "-"), ".", ""), "0")
	return (len(digits)+1)/2 + 1
}
