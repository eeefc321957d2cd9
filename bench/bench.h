/*
 * bench.h -- what the benchmark harnesses share (stats_bench.c, release_bench.c): a monotonic clock in
 * milliseconds and the medians they report, in the "result NAME MEDIAN MIN MAX" lines the scripts read.
 */
#ifndef CB_BENCH_H
#define CB_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of n values (sorts v). */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Prints median, min and max of n timings (sorts v). */
static inline void report_series(const char *name, double *v, int n)
{
	double med = median(v, n);
	printf("%-34s median %10.2f ms   min %10.2f   max %10.2f   (%d runs)\n", name, med, v[0], v[n - 1], n);
	printf("result %s %.3f %.3f %.3f\n", name, med, v[0], v[n - 1]);
}

#endif
