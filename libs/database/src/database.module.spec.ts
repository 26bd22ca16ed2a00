import mongoose from 'mongoose';
import { DatabaseModule } from './database.module';

describe(DatabaseModule.name, () => {
  it('turns on sanitizeFilter and strictQuery "throw" for every query (RELIABILITY §6)', () => {
    expect(DatabaseModule).toBeDefined(); // importing the module applies the settings
    expect(mongoose.get('sanitizeFilter')).toBe(true);
    expect(mongoose.get('strictQuery')).toBe('throw');
  });
});
