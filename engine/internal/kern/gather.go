package kern

// GatherF64 sets out[j] = nums[codes[j]] for the 64 codes of a block: the
// numbers of a column's rows looked up by code. Every code must index
// nums (a column's codes never exceed its MaxCode, and a field's number
// table has MaxCode+1 entries); the vector kernel does not check.
func GatherF64(nums []float64, codes *[64]uint32, out *[64]float64) {
	if simdGatherF64(nums, codes, out) {
		return
	}
	for j, c := range codes {
		out[j] = nums[c]
	}
}
