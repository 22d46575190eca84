#!/bin/bash
test_description="login and logout against a basic registry"
MODE=basic
. ./lib-login.sh
