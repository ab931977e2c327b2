package main

this does not compile
