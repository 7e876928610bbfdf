package fern

import "sync"

// MemBlockstore is an in-memory Blockstore, safe for concurrent use (for tests and tools).
type MemBlockstore struct {
	mu     sync.RWMutex
	blocks map[string][]byte
}

// NewMemBlockstore returns an empty MemBlockstore.
func NewMemBlockstore() *MemBlockstore {
	return &MemBlockstore{blocks: make(map[string][]byte)}
}

// Get returns the block or ErrNotFound.
func (m *MemBlockstore) Get(cid []byte) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.blocks[string(cid)]
	if !ok {
		return nil, ErrNotFound
	}
	return b, nil
}

// Put stores a block.
func (m *MemBlockstore) Put(cid, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blocks[string(cid)] = append([]byte(nil), data...)
	return nil
}

// PutMany stores a batch of blocks.
func (m *MemBlockstore) PutMany(blocks []Block) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range blocks {
		m.blocks[string(b.Cid)] = append([]byte(nil), b.Data...)
	}
	return nil
}

// Has tells whether the block exists.
func (m *MemBlockstore) Has(cid []byte) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.blocks[string(cid)]
	return ok, nil
}

// Len is the number of blocks.
func (m *MemBlockstore) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.blocks)
}
