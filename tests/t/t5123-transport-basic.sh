#!/bin/bash
test_description="transport calls (upload, mount, put, delete) against a basic registry"
MODE=basic
. ./lib-transport.sh
