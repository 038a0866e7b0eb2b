// A public function with a scalar signature, which artifacts cannot export.
func.func @f(%x: f32) -> f32 {
  return %x : f32
}
