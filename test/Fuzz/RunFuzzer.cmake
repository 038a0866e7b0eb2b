#===- test/Fuzz/RunFuzzer.cmake - Run one fuzzer on a corpus copy --------===#
#
# Part of the Tokamak project.
#
# cmake -DFUZZER=<binary> -DSEEDS=<dir> -DWORK=<dir> -DFRESH=ON|OFF
#       [-DMAX_LEN=<bytes>] "-DARGS=<libFuzzer flags>" -P RunFuzzer.cmake
#
# Copies the seed corpus into WORK/corpus (emptied first when FRESH), runs
# the fuzzer there with crash files going to WORK/, and fails on any crash,
# sanitizer report, leak or timeout. The checked-in seeds are never written.
#
#===----------------------------------------------------------------------===#
foreach(var FUZZER SEEDS WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunFuzzer.cmake: -D${var}=... is required")
  endif()
endforeach()
if(FRESH)
  file(REMOVE_RECURSE ${WORK})
endif()
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${SEEDS}/*)
file(COPY ${seeds} DESTINATION ${WORK}/corpus)

if(NOT MAX_LEN)
  set(MAX_LEN 4096)
endif()
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(
  COMMAND ${FUZZER} ${args} -timeout=10 -rss_limit_mb=2048 -max_len=${MAX_LEN}
    -artifact_prefix=${WORK}/ ${WORK}/corpus
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${result}); the input that broke "
                      "it is in ${WORK}/")
endif()
