// Types of cdktf's jest matchers (toHaveResourceWithProperties and friends).
import "cdktf/lib/testing/adapters/jest";
