"""Runtime modules ("pallets"), one folder each, all with the same shape (see `phalanx.runtime`)."""
