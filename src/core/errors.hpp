// Exceptions the core throws. The wall (src/pg/guard.hpp) maps each ErrorKind to a SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

namespace cseg {

// What went wrong, independent of PostgreSQL; the wall picks the SQLSTATE from this.
enum class ErrorKind {
    InvalidParameter,  // bad option, k out of range, bad scaler method -> 22023
    InvalidText,       // malformed text/JSON input of a type -> 22P02
    InvalidBinary,     // malformed binary (recv) input -> 22P03
    InvalidEncoding,   // text not valid in the database encoding -> 22021
    ArrayShape,        // wrong array length / dimensionality -> 2202E
    NullValue,         // NULL where none is allowed (missing = error) -> 22004
    DataException,     // data that cannot be processed (too few rows, ...) -> 22000
    ProgramLimit,      // sizes beyond what we can represent/allocate -> 54000
    OutOfMemory,       // budget exceeded -> 53200
    Internal,          // a bug: invariant broken -> XX000
};

// The one exception type the core throws for reportable errors.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, std::string detail = {},
          std::string hint = {})
        : std::runtime_error(message),
          kind_(kind),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    ErrorKind kind() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

// Thrown when the interrupt callback reports a pending cancel; the wall then lets
// PostgreSQL process the interrupt (CHECK_FOR_INTERRUPTS).
struct Cancelled {};

}  // namespace cseg
