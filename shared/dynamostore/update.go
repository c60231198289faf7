package dynamostore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// update builds an UpdateItem's expressions with placeholder names and values.
type update struct {
	sets, conds []string
	names       map[string]string
	values      item
}

func newUpdate() *update {
	return &update{names: map[string]string{}, values: item{}}
}

func (u *update) name(attr string) string {
	key := "#" + attr
	u.names[key] = attr
	return key
}

func (u *update) value(v types.AttributeValue) string {
	key := ":v" + strconv.Itoa(len(u.values))
	u.values[key] = v
	return key
}

func (u *update) set(attr string, v types.AttributeValue) {
	u.sets = append(u.sets, u.name(attr)+" = "+u.value(v))
}

// appendTo appends v, a list, to the list attr, creating the list on an item
// that has none (items written before the list existed).
func (u *update) appendTo(attr string, v types.AttributeValue) {
	name := u.name(attr)
	empty := u.value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}})
	u.sets = append(u.sets, fmt.Sprintf("%s = list_append(if_not_exists(%s, %s), %s)", name, name, empty, u.value(v)))
}

// path names a nested attribute, e.g. notification.status.
func (u *update) path(attrs ...string) string {
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = u.name(a)
	}
	return strings.Join(names, ".")
}

func (u *update) cond(format string, args ...any) {
	u.conds = append(u.conds, fmt.Sprintf(format, args...))
}

func (u *update) expression() string {
	return "SET " + strings.Join(u.sets, ", ")
}
