// cuMemAllocManaged through the driver API alone: the host writes managed
// memory directly, kernels change it, cuCtxSynchronize makes their writes
// visible, copies and sets on it, pointer attributes, cuMemFree. Prints PASS
// or FAIL: <what>.
#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

// nvcc -ptx -arch=sm_75 of:
//   extern "C" __global__ void scaleAdd(unsigned *data, unsigned n,
//                                       unsigned mul, unsigned add)
//   { unsigned i = ...; if (i < n) data[i] = data[i] * mul + add; }
static const char *kPtx = R"(
.version 9.0
.target sm_75
.address_size 64
.visible .entry scaleAdd(
	.param .u64 scaleAdd_param_0,
	.param .u32 scaleAdd_param_1,
	.param .u32 scaleAdd_param_2,
	.param .u32 scaleAdd_param_3
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<5>;
	ld.param.u64 	%rd1, [scaleAdd_param_0];
	ld.param.u32 	%r4, [scaleAdd_param_1];
	ld.param.u32 	%r2, [scaleAdd_param_2];
	ld.param.u32 	%r3, [scaleAdd_param_3];
	mov.u32 	%r5, %ctaid.x;
	mov.u32 	%r6, %ntid.x;
	mov.u32 	%r7, %tid.x;
	mad.lo.s32 	%r1, %r5, %r6, %r7;
	setp.ge.u32 	%p1, %r1, %r4;
	@%p1 bra 	$L__BB0_2;
	cvta.to.global.u64 	%rd2, %rd1;
	mul.wide.u32 	%rd3, %r1, 4;
	add.s64 	%rd4, %rd2, %rd3;
	ld.global.u32 	%r8, [%rd4];
	mad.lo.s32 	%r9, %r8, %r2, %r3;
	st.global.u32 	[%rd4], %r9;
$L__BB0_2:
	ret;
}
)";

[[noreturn]] static void fail(const char *what, CUresult result) {
  const char *name = nullptr;
  cuGetErrorName(result, &name);
  std::printf("FAIL: %s returned %s\n", what, name ? name : "?");
  std::exit(1);
}

#define CHECK_CU(call)                                                         \
  do {                                                                         \
    CUresult checkResult = (call);                                             \
    if (checkResult != CUDA_SUCCESS)                                           \
      fail(#call, checkResult);                                                \
  } while (0)

#define EXPECT(condition, ...)                                                 \
  do {                                                                         \
    if (!(condition)) {                                                        \
      std::printf("FAIL: " __VA_ARGS__);                                       \
      std::printf("\n");                                                       \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

int main() {
  CHECK_CU(cuInit(0));
  CUdevice device;
  CHECK_CU(cuDeviceGet(&device, 0));
  CUcontext context;
  CHECK_CU(cuDevicePrimaryCtxRetain(&context, device));
  CHECK_CU(cuCtxSetCurrent(context));
  CUmodule module;
  CHECK_CU(cuModuleLoadData(&module, kPtx));
  CUfunction scaleAdd;
  CHECK_CU(cuModuleGetFunction(&scaleAdd, module, "scaleAdd"));

  const unsigned n = 5000;
  CUdeviceptr managed = 0;
  EXPECT(cuMemAllocManaged(&managed, 0, CU_MEM_ATTACH_GLOBAL) ==
             CUDA_ERROR_INVALID_VALUE,
         "cuMemAllocManaged of 0 bytes did not fail");
  EXPECT(cuMemAllocManaged(&managed, 64, 77) == CUDA_ERROR_INVALID_VALUE,
         "cuMemAllocManaged with bad flags did not fail");
  CHECK_CU(cuMemAllocManaged(&managed, n * sizeof(unsigned),
                             CU_MEM_ATTACH_GLOBAL));
  auto *host = reinterpret_cast<unsigned *>(managed);
  for (unsigned i = 0; i < n; ++i)
    host[i] = i;

  // Rounds: host writes, launch, synchronize, host reads.
  unsigned want[n];
  for (unsigned i = 0; i < n; ++i)
    want[i] = i;
  for (unsigned round = 1; round <= 3; ++round) {
    unsigned mul = round + 1, add = 10 * round, count = n;
    void *args[] = {&managed, &count, &mul, &add};
    CHECK_CU(cuLaunchKernel(scaleAdd, (n + 127) / 128, 1, 1, 128, 1, 1, 0,
                            nullptr, args, nullptr));
    CHECK_CU(cuCtxSynchronize());
    for (unsigned i = 0; i < n; ++i) {
      want[i] = want[i] * mul + add;
      EXPECT(host[i] == want[i], "round %u: [%u] = %u, expected %u", round, i,
             host[i], want[i]);
    }
    host[7] = 7; // a host write between rounds
    want[7] = 7;
  }

  // A kernel, then a blocking copy to the host: the copy synchronizes and
  // sees the kernel's result.
  unsigned mul = 1, add = 1, count = n;
  void *args[] = {&managed, &count, &mul, &add};
  CHECK_CU(cuLaunchKernel(scaleAdd, (n + 127) / 128, 1, 1, 128, 1, 1, 0,
                          nullptr, args, nullptr));
  unsigned copied[4] = {};
  CHECK_CU(cuMemcpyDtoH(copied, managed + 4 * sizeof(unsigned), sizeof copied));
  EXPECT(copied[3] == want[7] + 1, "copied [7] = %u, expected %u", copied[3],
         want[7] + 1);
  EXPECT(host[7] == want[7] + 1, "host [7] = %u after the copy, expected %u",
         host[7], want[7] + 1);

  // Copies and sets into managed memory, and a plain device buffer.
  const unsigned pattern[2] = {0xdeadbeef, 0xfeedface};
  CHECK_CU(cuMemcpyHtoD(managed, pattern, sizeof pattern));
  EXPECT(host[0] == 0xdeadbeef && host[1] == 0xfeedface,
         "cuMemcpyHtoD into managed memory");
  CHECK_CU(cuMemsetD32(managed + 8 * sizeof(unsigned), 0x01020304, 4));
  EXPECT(host[8] == 0x01020304 && host[11] == 0x01020304 && host[12] != 0x01020304,
         "cuMemsetD32 on managed memory");
  CHECK_CU(cuMemsetD8(managed + 100 * sizeof(unsigned), 0xab, 4));
  EXPECT(host[100] == 0xabababab, "cuMemsetD8 on managed memory");
  CUdeviceptr plain = 0;
  CHECK_CU(cuMemAlloc(&plain, 64));
  CHECK_CU(cuMemcpyDtoD(plain, managed, 64));
  unsigned back[16] = {};
  CHECK_CU(cuMemcpyDtoH(back, plain, sizeof back));
  EXPECT(back[0] == 0xdeadbeef && back[8] == 0x01020304,
         "cuMemcpyDtoD from managed memory");

  // Pointer attributes.
  unsigned isManaged = 99;
  CHECK_CU(cuPointerGetAttribute(&isManaged, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                 managed + 12));
  EXPECT(isManaged == 1, "IS_MANAGED of managed memory is %u", isManaged);
  CHECK_CU(cuPointerGetAttribute(&isManaged, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                                 plain));
  EXPECT(isManaged == 0, "IS_MANAGED of cuMemAlloc memory is %u", isManaged);
  void *hostPointer = nullptr;
  CHECK_CU(cuPointerGetAttribute(&hostPointer,
                                 CU_POINTER_ATTRIBUTE_HOST_POINTER, managed));
  EXPECT(hostPointer == host, "HOST_POINTER of managed memory");
  unsigned type = 0;
  CUdeviceptr start = 0;
  CUpointer_attribute which[2] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                  CU_POINTER_ATTRIBUTE_RANGE_START_ADDR};
  void *data[2] = {&type, &start};
  CHECK_CU(cuPointerGetAttributes(2, which, data, managed + 40));
  EXPECT(type == CU_MEMORYTYPE_DEVICE && start == managed,
         "cuPointerGetAttributes: type %u, start ok %d", type,
         int(start == managed));

  CHECK_CU(cuMemFree(plain));
  CHECK_CU(cuMemFree(managed));
  EXPECT(cuPointerGetAttribute(&isManaged, CU_POINTER_ATTRIBUTE_IS_MANAGED,
                               managed) == CUDA_ERROR_INVALID_VALUE,
         "freed managed memory still has attributes");
  std::printf("PASS\n");
  return 0;
}
