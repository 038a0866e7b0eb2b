#===- AddTokamak.cmake - Thin wrappers over the MLIR CMake helpers -------===#
#
# Part of the Tokamak project. Libraries register themselves in global
# properties so tools can link "all dialects / all conversions" without
# hand-kept lists (as CIRCT's AddCIRCT.cmake does).
#
#===----------------------------------------------------------------------===#

# A dialect library (IR or transforms of one dialect).
function(add_tokamak_dialect_library name)
  set_property(GLOBAL APPEND PROPERTY TOKAMAK_DIALECT_LIBS ${name})
  add_tokamak_library(${name} ${ARGN})
endfunction()

# A conversion library (lib/Conversion/<Src>To<Dst>).
function(add_tokamak_conversion_library name)
  set_property(GLOBAL APPEND PROPERTY TOKAMAK_CONVERSION_LIBS ${name})
  add_tokamak_library(${name} ${ARGN})
endfunction()

# A target code generation library (lib/Codegen/<Target>).
function(add_tokamak_codegen_library name)
  set_property(GLOBAL APPEND PROPERTY TOKAMAK_CODEGEN_LIBS ${name})
  add_tokamak_library(${name} ${ARGN})
endfunction()

# Any other compiler library.
function(add_tokamak_library name)
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL)
endfunction()

# A compiler tool; it links the MLIR dylib through its libraries.
function(add_tokamak_tool name)
  add_llvm_executable(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${TOKAMAK_TOOLS_DIR})
endfunction()
