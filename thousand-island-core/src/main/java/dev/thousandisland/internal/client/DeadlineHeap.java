package dev.thousandisland.internal.client;

import java.util.Arrays;

/**
 * Watched requests whose timeout has no {@link DeadlineLane}: a binary heap ordered by deadline,
 * each request knowing its place in it, so adding and removing cost a logarithm and never a scan.
 * Guarded by the lock of {@link RequestDeadlines}.
 */
final class DeadlineHeap {

	private PendingRequest[] heap = new PendingRequest[64];

	private int size;

	void add(PendingRequest request) {
		if (this.size == this.heap.length) {
			this.heap = Arrays.copyOf(this.heap, this.size * 2);
		}
		this.heap[this.size] = request;
		request.heapIndex = this.size;
		this.size++;
		up(this.size - 1);
	}

	void remove(PendingRequest request) {
		int index = request.heapIndex;
		request.heapIndex = -1;
		this.size--;
		PendingRequest last = this.heap[this.size];
		this.heap[this.size] = null;
		if (index < this.size) {
			this.heap[index] = last;
			last.heapIndex = index;
			down(index);
			up(last.heapIndex);
		}
		if (this.size == 0 && this.heap.length > 1024) {
			this.heap = new PendingRequest[64];
		}
	}

	/** The request whose deadline comes first, or {@code null} when the heap is empty. */
	PendingRequest first() {
		return (this.size > 0) ? this.heap[0] : null;
	}

	private void up(int index) {
		PendingRequest moving = this.heap[index];
		while (index > 0) {
			int parent = (index - 1) >>> 1;
			PendingRequest above = this.heap[parent];
			if (above.deadline - moving.deadline <= 0) {
				break;
			}
			place(above, index);
			index = parent;
		}
		place(moving, index);
	}

	private void down(int index) {
		PendingRequest moving = this.heap[index];
		int half = this.size >>> 1;
		while (index < half) {
			int child = 2 * index + 1;
			int right = child + 1;
			if (right < this.size && this.heap[right].deadline - this.heap[child].deadline < 0) {
				child = right;
			}
			if (moving.deadline - this.heap[child].deadline <= 0) {
				break;
			}
			place(this.heap[child], index);
			index = child;
		}
		place(moving, index);
	}

	private void place(PendingRequest request, int index) {
		this.heap[index] = request;
		request.heapIndex = index;
	}

}
