#!/bin/bash
test_description="transport calls (upload, mount, put, delete) against a tls registry"
MODE=tls
. ./lib-transport.sh
