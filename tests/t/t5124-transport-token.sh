#!/bin/bash
test_description="transport calls (upload, mount, put, delete) against a token registry"
MODE=token
. ./lib-transport.sh
