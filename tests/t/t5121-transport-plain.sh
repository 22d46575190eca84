#!/bin/bash
test_description="transport calls (upload, mount, put, delete) against a plain registry"
MODE=plain
. ./lib-transport.sh
