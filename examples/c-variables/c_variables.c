/* A fixture for the debugger: one local of every kind a C plugin has, with known values.
 * `inspect` is called from `qirvo_start`; tests stop at the line marked BREAK. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qirvo.h"

enum colour { RED, GREEN = 5, BLUE };

struct point {
    int x;
    int y;
};

struct shape {
    const char *name;
    struct point corner;
    double scale;
    enum colour colour;
    unsigned char flags[3];
};

union number {
    int32_t integer;
    float real;
};

typedef struct point point_t;

static int counted = 0;

static __attribute__((noinline)) int inspect(int count, const char *label, struct shape *shape) {
    int small = -7;
    unsigned int big = 4000000000u;
    int64_t wide = -1234567890123LL;
    float ratio = 0.5f;
    double pi = 3.25;
    char letter = 'Q';
    _Bool yes = 1;
    enum colour colour = GREEN;
    char text[16] = "hello";
    int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
    int many[300];
    for (int i = 0; i < 300; i++) {
        many[i] = i * 2;
    }
    point_t origin = {3, -4};
    point_t *where = &origin;
    union number number;
    number.integer = 1065353216; /* 1.0f */
    const char *missing = NULL;
    int total = small + count + shape->corner.x + many[299] + grid[1][2] + (missing == NULL); /* BREAK */
    counted += total + (int)(ratio + pi) + letter + yes + colour + text[0] + where->y + number.integer + (int)big +
               (int)wide + (int)strlen(label);
    return total;
}

/* Fifty locals, for the benchmark of scopes + variables (`cargo bench --bench dap`). */
static __attribute__((noinline)) int fifty(void) {
    int v0 = 0;
    int v1 = 1;
    int v2 = 2;
    int v3 = 3;
    int v4 = 4;
    int v5 = 5;
    int v6 = 6;
    int v7 = 7;
    int v8 = 8;
    int v9 = 9;
    int v10 = 10;
    int v11 = 11;
    int v12 = 12;
    int v13 = 13;
    int v14 = 14;
    int v15 = 15;
    int v16 = 16;
    int v17 = 17;
    int v18 = 18;
    int v19 = 19;
    int v20 = 20;
    int v21 = 21;
    int v22 = 22;
    int v23 = 23;
    int v24 = 24;
    int v25 = 25;
    int v26 = 26;
    int v27 = 27;
    int v28 = 28;
    int v29 = 29;
    int v30 = 30;
    int v31 = 31;
    int v32 = 32;
    int v33 = 33;
    int v34 = 34;
    int v35 = 35;
    int v36 = 36;
    int v37 = 37;
    int v38 = 38;
    int v39 = 39;
    int v40 = 40;
    int v41 = 41;
    int v42 = 42;
    int v43 = 43;
    int v44 = 44;
    int v45 = 45;
    int v46 = 46;
    int v47 = 47;
    int v48 = 48;
    int v49 = 49;
    int sum = v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11 + v12 + v13 + v14 + v15 + v16 + v17 + v18 + v19 + v20 + v21 + v22 + v23 + v24 + v25 + v26 + v27 + v28 + v29 + v30 + v31 + v32 + v33 + v34 + v35 + v36 + v37 + v38 + v39 + v40 + v41 + v42 + v43 + v44 + v45 + v46 + v47 + v48 + v49; /* FIFTY */
    return sum;
}

static void loop(void) {
    int sum = 0;
    for (int i = 1; i <= 10; i++) {
        sum += i; /* LOOP */
    }
    counted += sum;
}

QIRVO_EXPORT("qirvo_alloc") int32_t qirvo_alloc(int32_t size) {
    static unsigned char heap[1024];
    return size <= 1024 ? (int32_t)(uintptr_t)heap : 0;
}

QIRVO_EXPORT("qirvo_initialize") int32_t qirvo_initialize(void) { return 0; }

QIRVO_EXPORT("qirvo_start") int32_t qirvo_start(void) {
    struct shape shape = {"square", {10, 20}, 1.5, BLUE, {1, 2, 3}};
    int result = inspect(42, "from start", &shape);
    loop();
    counted += fifty();
    printf("result %d counted %d\n", result, counted);
    fflush(stdout);
    return 0;
}

QIRVO_EXPORT("qirvo_stop") int32_t qirvo_stop(void) { return 0; }
