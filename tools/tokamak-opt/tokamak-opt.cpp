//===- tokamak-opt.cpp - The Tokamak optimizer driver ---------------------===//
//
// Part of the Tokamak project. mlir-opt with the tok dialect and the Tokamak
// passes and pipelines registered beside every upstream dialect and pass.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "tokamak/InitAllDialects.h"
#include "tokamak/InitAllPasses.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  tokamak::registerTokamakPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  tokamak::registerTokamakDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tokamak optimizer driver\n", registry));
}
