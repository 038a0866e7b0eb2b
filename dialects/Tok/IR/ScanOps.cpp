//===- ScanOps.cpp - Verifiers of the scan ops ----------------------------===//
//
// Part of the Tokamak project.
//
// Every verifier checks, in this order: operand and result ranks, element
// types, dims (a dynamic dim passes), then attribute ranges.
//
// Element types of the recurrences: the activations (x, dt, B, C, z of
// selective_scan; query, key, value of linear_scan) share one float type,
// which the primary result carries. Parameters and gates (A, D, dt_bias,
// decay, beta) and the state (init, final_state) may use any of f32, f16 and
// bf16, since models commonly keep them in f32; when init is given the final
// state has its element type.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/Verification.h"

using namespace mlir;
using namespace mlir::tok;

/// Checks that the final state has a float element type, and init's when init
/// is present.
static LogicalResult verifyStateElementTypes(Operation *op,
                                             RankedTensorType initType,
                                             RankedTensorType finalType) {
  if (initType && failed(verifyFloatElementType(op, "init", initType)))
    return failure();
  if (!finalType)
    return success();
  if (initType)
    return verifySameElementType(op, "init", initType, "final_state",
                                 finalType);
  return verifyFloatElementType(op, "final_state", finalType);
}

/// The type of an optional value, or null.
static RankedTensorType typeOrNull(TypedValue<RankedTensorType> value) {
  return value ? value.getType() : nullptr;
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

LogicalResult SelectiveScanOp::verify() {
  Operation *op = getOperation();
  RankedTensorType xType = getX().getType();
  RankedTensorType dtType = getDt().getType();
  RankedTensorType aType = getA().getType();
  RankedTensorType bType = getB().getType();
  RankedTensorType cType = getC().getType();
  RankedTensorType dType = typeOrNull(getD());
  RankedTensorType zType = typeOrNull(getZ());
  RankedTensorType dtBiasType = typeOrNull(getDtBias());
  RankedTensorType initType = typeOrNull(getInit());
  RankedTensorType seqStartsType = typeOrNull(getSeqStarts());
  RankedTensorType yType = getY().getType();
  RankedTensorType finalType = typeOrNull(getFinalState());

  // Ranks.
  if (failed(verifyRank(op, "x", xType, 3)) ||
      failed(verifyRank(op, "dt", dtType, 3)) ||
      failed(verifyRank(op, "A", aType, 2)) ||
      failed(verifyRank(op, "B", bType, 4)) ||
      failed(verifyRank(op, "C", cType, 4)) ||
      (dType && failed(verifyRank(op, "D", dType, 1))) ||
      (zType && failed(verifyRank(op, "z", zType, 3))) ||
      (dtBiasType && failed(verifyRank(op, "dt_bias", dtBiasType, 1))) ||
      (initType && failed(verifyRank(op, "init", initType, 3))) ||
      failed(verifyRank(op, "y", yType, 3)) ||
      (finalType && failed(verifyRank(op, "final_state", finalType, 3))))
    return failure();

  // Element types.
  if (failed(verifyFloatElementType(op, "x", xType)) ||
      failed(verifySameElementType(op, "x", xType, "dt", dtType)) ||
      failed(verifyFloatElementType(op, "A", aType)) ||
      failed(verifySameElementType(op, "x", xType, "B", bType)) ||
      failed(verifySameElementType(op, "x", xType, "C", cType)) ||
      (dType && failed(verifyFloatElementType(op, "D", dType))) ||
      (zType && failed(verifySameElementType(op, "x", xType, "z", zType))) ||
      (dtBiasType &&
       failed(verifyFloatElementType(op, "dt_bias", dtBiasType))) ||
      failed(verifySameElementType(op, "x", xType, "y", yType)) ||
      failed(verifyStateElementTypes(op, initType, finalType)))
    return failure();

  // Dims: x, dt [B, L, Dm]; A [Dm, N]; B, C [B, L, G, N].
  ArrayRef<int64_t> x = xType.getShape();
  ArrayRef<int64_t> dt = dtType.getShape();
  ArrayRef<int64_t> a = aType.getShape();
  ArrayRef<int64_t> b = bType.getShape();
  ArrayRef<int64_t> c = cType.getShape();
  if (failed(verifyCompatibleShapes(op, "x", xType, "dt", dtType)) ||
      failed(verifyDimsMatch(op, "x", x[2], "A", a[0], "channel counts")) ||
      failed(verifyCompatibleShapes(op, "B", bType, "C", cType)) ||
      failed(verifyDimsMatch(op, "x", x[0], "B", b[0], "batch sizes")) ||
      failed(verifyDimsMatch(op, "x", x[1], "B", b[1], "sequence lengths")) ||
      failed(verifyDimsMatch(op, "A", a[1], "B", b[3], "state sizes")))
    return failure();

  int64_t batch = mergeDims({x[0], dt[0], b[0], c[0]});
  int64_t length = mergeDims({x[1], dt[1], b[1], c[1]});
  int64_t channels = mergeDims({x[2], dt[2], a[0]});
  int64_t state = mergeDims({a[1], b[3], c[3]});
  int64_t groups = mergeDims({b[2], c[2]});
  if (ShapedType::isStatic(channels) && ShapedType::isStatic(groups) &&
      (groups == 0 || channels % groups != 0))
    return emitOpError("expected x channel count to be a multiple of B group "
                       "count, got ")
           << channels << " and " << groups;

  // One state per sequence: the batch, or the packed sequences.
  FailureOr<int64_t> states = verifySeqStarts(op, seqStartsType, batch);
  if (failed(states))
    return failure();
  if ((dType &&
       failed(verifyDimsMatch(op, "x", channels, "D", dType.getDimSize(0),
                              "channel counts"))) ||
      (zType && failed(verifyCompatibleShapes(op, "x", xType, "z", zType))) ||
      (dtBiasType &&
       failed(verifyDimsMatch(op, "x", channels, "dt_bias",
                              dtBiasType.getDimSize(0), "channel counts"))) ||
      (initType &&
       failed(verifyShape(op, "init", initType, {*states, channels, state}))) ||
      failed(verifyShape(op, "y", yType, {batch, length, channels})) ||
      (finalType && failed(verifyShape(op, "final_state", finalType,
                                       {*states, channels, state}))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// LinearScanOp
//===----------------------------------------------------------------------===//

LogicalResult LinearScanOp::verify() {
  Operation *op = getOperation();
  RankedTensorType queryType = getQuery().getType();
  RankedTensorType keyType = getKey().getType();
  RankedTensorType valueType = getValue().getType();
  RankedTensorType decayType = typeOrNull(getDecay());
  RankedTensorType betaType = typeOrNull(getBeta());
  RankedTensorType initType = typeOrNull(getInit());
  RankedTensorType seqStartsType = typeOrNull(getSeqStarts());
  RankedTensorType outputType = getOutput().getType();
  RankedTensorType finalType = typeOrNull(getFinalState());

  // Ranks.
  if (failed(verifyRank(op, "query", queryType, 4)) ||
      failed(verifyRank(op, "key", keyType, 4)) ||
      failed(verifyRank(op, "value", valueType, 4)))
    return failure();
  if (decayType && decayType.getRank() != 3 && decayType.getRank() != 4)
    return emitOpError("expected decay rank 3 or 4, got ")
           << decayType.getRank();
  if ((betaType && failed(verifyRank(op, "beta", betaType, 3))) ||
      (initType && failed(verifyRank(op, "init", initType, 4))) ||
      failed(verifyRank(op, "output", outputType, 4)) ||
      (finalType && failed(verifyRank(op, "final_state", finalType, 4))))
    return failure();

  // Element types.
  if (failed(verifyFloatElementType(op, "query", queryType)) ||
      failed(verifySameElementType(op, "query", queryType, "key", keyType)) ||
      failed(
          verifySameElementType(op, "query", queryType, "value", valueType)) ||
      (decayType && failed(verifyFloatElementType(op, "decay", decayType))) ||
      (betaType && failed(verifyFloatElementType(op, "beta", betaType))) ||
      failed(verifySameElementType(op, "query", queryType, "output",
                                   outputType)) ||
      failed(verifyStateElementTypes(op, initType, finalType)))
    return failure();

  // Dims: q, k [B, H, L, Dk]; v [B, H, L, Dv].
  ArrayRef<int64_t> q = queryType.getShape();
  ArrayRef<int64_t> k = keyType.getShape();
  ArrayRef<int64_t> v = valueType.getShape();
  if (failed(verifyCompatibleShapes(op, "query", queryType, "key", keyType)) ||
      failed(
          verifyDimsMatch(op, "query", q[0], "value", v[0], "batch sizes")) ||
      failed(
          verifyDimsMatch(op, "query", q[1], "value", v[1], "head counts")) ||
      failed(verifyDimsMatch(op, "query", q[2], "value", v[2],
                             "sequence lengths")))
    return failure();

  int64_t batch = mergeDims({q[0], k[0], v[0]});
  int64_t heads = mergeDims({q[1], k[1], v[1]});
  int64_t length = mergeDims({q[2], k[2], v[2]});
  int64_t keyDim = mergeDims({q[3], k[3]});
  SmallVector<int64_t> perStep = {batch, heads, length};
  SmallVector<int64_t> perChannel = {batch, heads, length, keyDim};
  // One state per sequence: the batch, or the packed sequences.
  FailureOr<int64_t> states = verifySeqStarts(op, seqStartsType, batch);
  if (failed(states))
    return failure();
  if ((decayType &&
       failed(verifyShape(op, "decay", decayType,
                          decayType.getRank() == 3 ? perStep : perChannel))) ||
      (betaType && failed(verifyShape(op, "beta", betaType, perStep))) ||
      (initType && failed(verifyShape(op, "init", initType,
                                      {*states, heads, keyDim, v[3]}))) ||
      failed(verifyShape(op, "output", outputType,
                         {batch, heads, length, v[3]})) ||
      (finalType && failed(verifyShape(op, "final_state", finalType,
                                       {*states, heads, keyDim, v[3]}))))
    return failure();

  // Attributes.
  if (failed(
          verifyEnumIn<ScanUpdate>(op, "update", getUpdateAttr(),
                                   {ScanUpdate::Additive, ScanUpdate::Delta})))
    return failure();
  if (betaType && !isDelta())
    return emitOpError("expected beta only with update = \"delta\"");
  return verifyFiniteNonzeroFloat(op, "scale", getScaleAttr());
}

//===----------------------------------------------------------------------===//
// AssocScanOp
//===----------------------------------------------------------------------===//

LogicalResult AssocScanOp::verify() {
  Operation *op = getOperation();
  OperandRange inputs = getInputs();
  ResultRange results = getResults();
  if (inputs.empty())
    return emitOpError("expected at least one input");
  if (results.size() != inputs.size())
    return emitOpError("expected as many results as inputs, got ")
           << results.size() << " and " << inputs.size();

  // Ranks: every input and result has the rank of input 0.
  Type firstType = inputs.front().getType();
  for (auto [index, input] : llvm::enumerate(inputs)) {
    if (failed(verifySameRank(op, "input " + std::to_string(index),
                              input.getType(), "input 0", firstType)))
      return failure();
  }

  // Element types: f32, f16, bf16 or any integer.
  for (auto [index, input] : llvm::enumerate(inputs)) {
    Type elementType = cast<ShapedType>(input.getType()).getElementType();
    if (!isTokFloat(elementType) && !isa<IntegerType>(elementType))
      return emitOpError("expected input ")
             << index << " element type f32, f16, bf16 or integer, got "
             << elementType;
  }

  // Shapes and result types.
  for (auto [index, input, result] : llvm::enumerate(inputs, results)) {
    std::string inputName = "input " + std::to_string(index);
    if (failed(verifyCompatibleShapes(op, "input 0", firstType, inputName,
                                      input.getType())) ||
        failed(verifySameType(op, inputName, input.getType(),
                              "result " + std::to_string(index),
                              result.getType())))
      return failure();
  }

  // Attributes.
  int64_t rank = cast<ShapedType>(firstType).getRank();
  int64_t dim = getDimAttr().getInt();
  if (dim < 0 || dim >= rank)
    return emitOpError("expected dim to be in [0, ")
           << rank << "), got " << dim;
  return success();
}

LogicalResult AssocScanOp::verifyRegions() {
  // combine: (earlier..., later...) -> combined..., all scalars of the
  // inputs' element types. SizedRegion<1> already guarantees one block.
  SmallVector<Type> elementTypes;
  for (Value input : getInputs())
    elementTypes.push_back(cast<ShapedType>(input.getType()).getElementType());
  SmallVector<Type> argumentTypes(elementTypes);
  argumentTypes.append(elementTypes);

  Block &block = getCombine().front();
  if (failed(verifyBlockArguments(getOperation(), "combine", block,
                                  argumentTypes)))
    return failure();
  auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
  if (!yield)
    return emitOpError("expected combine region to end with tok.yield");
  return verifyYieldedTypes(getOperation(), "combine",
                            yield.getValues().getTypes(), elementTypes);
}
