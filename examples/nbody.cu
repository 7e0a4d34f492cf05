// One leapfrog step of an all-pairs gravitational n-body system. Each block
// stages tiles of bodies in shared memory and every thread accumulates the
// acceleration on its own body from the whole tile.
#include "examples/common/example_check.h"

#include <vector>

constexpr int kTile = 128;
constexpr float kSoftening2 = 0.01f; // keeps close encounters finite

// pos.w holds the mass.
__device__ float3 bodyInteraction(float4 self, float4 other, float3 acc) {
  float dx = other.x - self.x, dy = other.y - self.y, dz = other.z - self.z;
  float dist2 = dx * dx + dy * dy + dz * dz + kSoftening2;
  float inv = rsqrtf(dist2);
  float s = other.w * inv * inv * inv;
  acc.x += dx * s;
  acc.y += dy * s;
  acc.z += dz * s;
  return acc;
}

__global__ void nbodyStep(const float4 *pos, const float4 *vel, float4 *newPos,
                          float4 *newVel, int n, float dt) {
  __shared__ float4 tile[kTile];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float4 self = i < n ? pos[i] : make_float4(0, 0, 0, 0);
  float3 acc = make_float3(0, 0, 0);
  for (int start = 0; start < n; start += kTile) {
    int j = start + threadIdx.x;
    tile[threadIdx.x] = j < n ? pos[j] : make_float4(0, 0, 0, 0); // mass 0
    __syncthreads();
#pragma unroll 8
    for (int t = 0; t < kTile; ++t)
      acc = bodyInteraction(self, tile[t], acc);
    __syncthreads();
  }
  if (i < n) {
    float4 v = vel[i];
    v.x += acc.x * dt;
    v.y += acc.y * dt;
    v.z += acc.z * dt;
    newVel[i] = v;
    newPos[i] = make_float4(self.x + v.x * dt, self.y + v.y * dt,
                            self.z + v.z * dt, self.w);
  }
}

int main() {
  const int n = 2000; // not a multiple of the tile
  const float dt = 0.01f;
  example::Rng rng(8);
  std::vector<float4> pos(n), vel(n), newPos(n), newVel(n);
  for (int i = 0; i < n; ++i) {
    pos[i] = make_float4(rng.uniform(-10, 10), rng.uniform(-10, 10),
                         rng.uniform(-10, 10), rng.uniform(0.5f, 2.0f));
    vel[i] = make_float4(rng.uniform(-1, 1), rng.uniform(-1, 1),
                         rng.uniform(-1, 1), 0.0f);
  }

  float4 *dPos, *dVel, *dNewPos, *dNewVel;
  const size_t bytes = n * sizeof(float4);
  CHECK_CUDA(cudaMalloc(&dPos, bytes));
  CHECK_CUDA(cudaMalloc(&dVel, bytes));
  CHECK_CUDA(cudaMalloc(&dNewPos, bytes));
  CHECK_CUDA(cudaMalloc(&dNewVel, bytes));
  CHECK_CUDA(cudaMemcpy(dPos, pos.data(), bytes, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dVel, vel.data(), bytes, cudaMemcpyHostToDevice));

  nbodyStep<<<(n + kTile - 1) / kTile, kTile>>>(dPos, dVel, dNewPos, dNewVel, n,
                                                dt);
  CHECK_LAUNCH();
  CHECK_CUDA(cudaMemcpy(newPos.data(), dNewPos, bytes, cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(newVel.data(), dNewVel, bytes, cudaMemcpyDeviceToHost));

  for (int i = 0; i < n; ++i) {
    // Reference in double. The float sum of n terms can cancel, so bound the
    // error by the sum of the terms' magnitudes rather than by the result.
    double acc[3] = {0, 0, 0}, magnitude = 0;
    for (int j = 0; j < n; ++j) {
      double d[3] = {static_cast<double>(pos[j].x) - pos[i].x,
                     static_cast<double>(pos[j].y) - pos[i].y,
                     static_cast<double>(pos[j].z) - pos[i].z};
      double dist2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + kSoftening2;
      double s = pos[j].w / (dist2 * std::sqrt(dist2));
      for (int c = 0; c < 3; ++c) {
        acc[c] += d[c] * s;
        magnitude += std::fabs(d[c] * s);
      }
    }
    const double tol = 1e-4 * magnitude * dt + 1e-6;
    double v[3] = {vel[i].x + acc[0] * dt, vel[i].y + acc[1] * dt,
                   vel[i].z + acc[2] * dt};
    float gotV[3] = {newVel[i].x, newVel[i].y, newVel[i].z};
    double p[3] = {pos[i].x + v[0] * dt, pos[i].y + v[1] * dt,
                   pos[i].z + v[2] * dt};
    float gotP[3] = {newPos[i].x, newPos[i].y, newPos[i].z};
    for (int c = 0; c < 3; ++c) {
      if (!example::nearlyEqual(gotV[c], v[c], 1e-6, tol))
        example::fail("velocity[%d].%c = %.9g, expected %.9g", i, "xyz"[c],
                      gotV[c], v[c]);
      if (!example::nearlyEqual(gotP[c], p[c], 1e-6, tol * dt + 1e-5))
        example::fail("position[%d].%c = %.9g, expected %.9g", i, "xyz"[c],
                      gotP[c], p[c]);
    }
    if (newPos[i].w != pos[i].w)
      example::fail("mass of body %d changed", i);
  }
  CHECK_CUDA(cudaFree(dPos));
  CHECK_CUDA(cudaFree(dVel));
  CHECK_CUDA(cudaFree(dNewPos));
  CHECK_CUDA(cudaFree(dNewVel));
  return example::pass();
}
