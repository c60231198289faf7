// Command minimal is the reference for `make bench`: the smallest aws-lambda-go
// function (it returns a constant), built with the same flags as ours.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "ok", nil })
}
