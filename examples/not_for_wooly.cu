// Matrix-vector multiplication y = A * x, written the way CUDA's programming
// guide teaches it: one thread per row, explicit device buffers and copies.
#include <cstdio>
#include <cstdlib>
#include <cmath>

#define N_ROWS 1000
#define N_COLS 700
#define THREADS_PER_BLOCK 128

__global__ void MatVecMul(const float* A, const float* x, float* y,
                          int rows, int cols)
{
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row < rows) {
        float sum = 0.0f;
        for (int col = 0; col < cols; ++col)
            sum += A[row * cols + col] * x[col];
        y[row] = sum;
    }
}

#define checkCuda(call)                                                 \
    do {                                                                \
        cudaError_t err = call;                                         \
        if (err != cudaSuccess) {                                       \
            printf("FAIL: %s: %s\n", #call, cudaGetErrorString(err));   \
            exit(1);                                                    \
        }                                                               \
    } while (0)

int main()
{
    size_t sizeA = N_ROWS * N_COLS * sizeof(float);
    size_t sizeX = N_COLS * sizeof(float);
    size_t sizeY = N_ROWS * sizeof(float);

    float* h_A = (float*)malloc(sizeA);
    float* h_x = (float*)malloc(sizeX);
    float* h_y = (float*)malloc(sizeY);

    srand(2024);
    for (int i = 0; i < N_ROWS * N_COLS; ++i)
        h_A[i] = rand() / (float)RAND_MAX;
    for (int i = 0; i < N_COLS; ++i)
        h_x[i] = rand() / (float)RAND_MAX;

    float* d_A;
    float* d_x;
    float* d_y;
    checkCuda(cudaMalloc(&d_A, sizeA));
    checkCuda(cudaMalloc(&d_x, sizeX));
    checkCuda(cudaMalloc(&d_y, sizeY));

    checkCuda(cudaMemcpy(d_A, h_A, sizeA, cudaMemcpyHostToDevice));
    checkCuda(cudaMemcpy(d_x, h_x, sizeX, cudaMemcpyHostToDevice));

    int blocksPerGrid = (N_ROWS + THREADS_PER_BLOCK - 1) / THREADS_PER_BLOCK;
    MatVecMul<<<blocksPerGrid, THREADS_PER_BLOCK>>>(d_A, d_x, d_y, N_ROWS, N_COLS);
    checkCuda(cudaGetLastError());

    checkCuda(cudaMemcpy(h_y, d_y, sizeY, cudaMemcpyDeviceToHost));

    for (int row = 0; row < N_ROWS; ++row) {
        double expected = 0.0;
        for (int col = 0; col < N_COLS; ++col)
            expected += (double)h_A[row * N_COLS + col] * h_x[col];
        if (fabs(h_y[row] - expected) > 1e-3 * fabs(expected) + 1e-3) {
            printf("FAIL: y[%d] = %f, expected %f\n", row, h_y[row], expected);
            exit(1);
        }
    }

    checkCuda(cudaFree(d_A));
    checkCuda(cudaFree(d_x));
    checkCuda(cudaFree(d_y));
    free(h_A);
    free(h_x);
    free(h_y);

    printf("PASS\n");
    return 0;
}
