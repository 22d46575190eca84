#!/bin/bash
test_description="login and logout against a token registry"
MODE=token
. ./lib-login.sh
