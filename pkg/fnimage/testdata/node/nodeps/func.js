'use strict'
console.log('no dependencies')
