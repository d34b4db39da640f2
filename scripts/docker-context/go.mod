module platform/docker-context

go 1.21

require github.com/moby/patternmatcher v0.6.0
